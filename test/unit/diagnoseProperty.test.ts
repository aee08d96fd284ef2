// Properties of the diagnosis (fast-check): conversations are the connected components of "same key, windows within
// the slack" (checked against a brute-force reference), whatever the order of the records, however the records are
// split into files, and whether or not the join spills to disk.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DiagnoseOptions, VERDICTS, diagnose } from '../../server/src/core/diagnose';

interface Rec {
  iface: number;
  src: number;
  dst: number;
  sport: number;
  dport: number;
  proto: number;
  start: number;
  length: number;
  accept: boolean;
}

const ADDRESSES = ['10.0.0.5', '10.0.0.6', '203.0.113.9', '2001:db8::1', '2001:db8::2'];
const PORTS = [0, 443, 5001, 50000];
// A small universe, times on a 30 s grid: keys repeat, and windows touch exactly at the slack's edge often.
const recArb = fc.record({
  iface: fc.integer({ min: 0, max: 1 }),
  src: fc.integer({ min: 0, max: 1 }),
  dst: fc.integer({ min: 1, max: 2 }),
  sport: fc.constantFrom(...PORTS),
  dport: fc.constantFrom(...PORTS),
  proto: fc.constantFrom(6, 17, 1),
  start: fc.integer({ min: 0, max: 100 }).map((x) => x * 30),
  length: fc.integer({ min: 0, max: 4 }).map((x) => x * 30),
  accept: fc.boolean(),
  v6: fc.boolean(),
}).map(({ v6, ...r }) => (v6 ? { ...r, src: 3 + (r.src % 2), dst: 3 + (r.dst % 2) } : r));

const line = (r: Rec) => {
  const icmp = r.proto === 1;
  return `2 1 eni-p${r.iface} ${ADDRESSES[r.src]} ${ADDRESSES[r.dst]} ${icmp ? 0 : r.sport} ${icmp ? 0 : r.dport} ${r.proto} 3 300 ${1_700_000_000 + r.start} ${1_700_000_000 + r.start + r.length} ${r.accept ? 'ACCEPT' : 'REJECT'} OK`;
};

/** Conversations by brute force: union-find over every pair of records with one key and windows within the slack. */
function referenceGroups(recs: Rec[], slack: number): string[] {
  const parent = recs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const key = (r: Rec) => {
    const icmp = r.proto === 1;
    const a = `${ADDRESSES[r.src]}|${icmp ? 0 : r.sport}`;
    const b = `${ADDRESSES[r.dst]}|${icmp ? 0 : r.dport}`;
    return `${r.iface}/${r.proto}/${a < b ? a + b : b + a}`;
  };
  for (let i = 0; i < recs.length; i++) {
    for (let j = i + 1; j < recs.length; j++) {
      const x = recs[i];
      const y = recs[j];
      if (key(x) !== key(y)) continue;
      if (x.start <= y.start + y.length + slack && y.start <= x.start + x.length + slack) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, number[]>();
  recs.forEach((_, i) => {
    const g = find(i);
    groups.set(g, [...(groups.get(g) ?? []), i + 1]);
  });
  return [...groups.values()].map((g) => g.join(',')).sort();
}

const everything: DiagnoseOptions = { collectAll: true, list: [...VERDICTS], limit: 1_000_000 };

async function groupsOf(lines: string[], options: DiagnoseOptions = {}) {
  const d = await diagnose({ kind: 'text', text: lines.join('\n') + '\n', name: 'p' }, { ...everything, ...options });
  return { d, groups: d.all!.map((c) => c.records!.map((r) => r.line).join(',')).sort() };
}

/** Verdicts keyed by the lines of each conversation (independent of line numbering when mapped back). */
function verdictsByRecords(d: Awaited<ReturnType<typeof diagnose>>, recordOf: (line: number) => string): string[] {
  return d.all!.map((c) => `${c.verdict}:${c.records!.map((r) => recordOf(r.line)).sort().join('/')}`).sort();
}

describe('diagnosis properties', () => {
  it('conversations are the connected components of "same key, windows within the slack"', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 60 }), fc.constantFrom(0, 30, 600), async (recs, slack) => {
        const { groups } = await groupsOf(recs.map(line), { slack, lateness: Infinity });
        assert.deepEqual(groups, referenceGroups(recs, slack));
      }),
      { numRuns: 150 },
    );
  });

  it('reordering the records does not change the conversations or their verdicts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 60 }).chain((recs) => fc.tuple(fc.constant(recs), fc.shuffledSubarray(recs.map((_, i) => i), { minLength: recs.length, maxLength: recs.length }))), async ([recs, order]) => {
        const lines = recs.map(line);
        // Tag each record so that it can be recognised at its new line.
        const tagged = lines.map((l, i) => l.replace(' 3 300 ', ` ${i + 1} 300 `));
        const a = await groupsOf(tagged, { lateness: Infinity });
        const shuffled = order.map((i) => tagged[i]);
        const b = await groupsOf(shuffled, { lateness: Infinity });
        const tagOf = (ls: string[]) => (ln: number) => ls[ln - 1].split(' ')[8];
        assert.deepEqual(verdictsByRecords(b.d, tagOf(shuffled)), verdictsByRecords(a.d, tagOf(tagged)));
        assert.deepEqual(b.d.verdicts, a.d.verdicts);
      }),
      { numRuns: 100 },
    );
  });

  it('splitting a file in two files of a folder does not change the verdicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diag-split-'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(recArb, { minLength: 2, maxLength: 80 }), fc.nat(), async (recs, cut) => {
          // In time order, as delivered files are: the default lateness then holds.
          const lines = [...recs].sort((x, y) => x.start - y.start).map(line);
          const at = 1 + (cut % (lines.length - 1));
          const whole = join(dir, 'whole.flowlog');
          const first = join(dir, 'a.flowlog');
          const second = join(dir, 'b.flowlog');
          writeFileSync(whole, lines.join('\n') + '\n');
          writeFileSync(first, lines.slice(0, at).join('\n') + '\n');
          writeFileSync(second, lines.slice(at).join('\n') + '\n');
          const one = await diagnose({ kind: 'files', paths: [whole] }, everything);
          const two = await diagnose({ kind: 'files', paths: [first, second] }, everything);
          assert.deepEqual(two.verdicts, one.verdicts);
          const place = () => (c: NonNullable<typeof one.all>[number]) => c.records!.map((r) => (r.file === whole ? r.line : r.file === first ? r.line : r.line + at)).join(',');
          assert.deepEqual(two.all!.map(place()).sort(), one.all!.map(place()).sort());
        }),
        { numRuns: 60 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('spilling to disk does not change the verdicts or the listed conversations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 120 }), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 5 }), async (recs, maxOpen, partitions) => {
        const text = [...recs].sort((x, y) => x.start - y.start).map(line).join('\n');
        const options: DiagnoseOptions = { list: [...VERDICTS], limit: 1000 };
        const a = await diagnose({ kind: 'text', text, name: 'p' }, options);
        const b = await diagnose({ kind: 'text', text, name: 'p' }, { ...options, maxOpen, partitions });
        assert.deepEqual(b.verdicts, a.verdicts);
        assert.deepEqual(b.conversations.map((c) => [c.verdict, c.evidence]), a.conversations.map((c) => [c.verdict, c.evidence]));
      }),
      { numRuns: 60 },
    );
  });
});
