// The compiled reader of JSON lines read for a query (readers/jsonCompiled.ts) decides nothing the general scanner
// and judge would decide otherwise: runs of lines (the compiled reader first) and the same lines one at a time (the
// general path only) give the same canonical lines, line numbers and problems, on generated CLS records with
// hostile values, keys in another order, repeated keys, escapes, nested values, blanks, key sets that change
// mid-file; and the runs do use the compiled reader for the usual lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ChunkWriter } from '../../server/src/core/readers/chunkWriter';
import { JsonLinesSink } from '../../server/src/core/readers/json';
import { compiledJsonLineOf } from '../../server/src/core/readers/jsonCompiled';
import { LineJudge, projectHeader } from '../../server/src/core/readers/jsonProjection';
import { decodeFile, decodeFileRange, DecodedChunk } from '../../server/src/core/readers';
import { deliveryRecords, toJsonLines } from '../support/deliveries';

const KEYS = ['version', 'account_id', 'interface_id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log_status'];
const NUMERIC = new Set(['version', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end']);

/**
 * Field sets a query reads (the first two: the bench's filter count and top-N). Kept lines that start with
 * `eni-…` (interface-id first) may read as header lines: the general path judges each with the engine's scanner.
 */
const letterFirst = (fields: string[]) => fields.includes('interface-id');
const FIELD_SETS = [['action'], ['srcaddr', 'bytes'], ['dstport', 'action'], ['srcport'], ['version', 'start'], ['interface-id', 'log-status'], ['dstaddr', 'packets', 'protocol']];

/** Raw JSON values where a value goes: every branch of the compiled reader, and what must make it give up. */
const ODD_VALUES = [
  '"-"', '""', 'null', 'true', 'false', '25238.0', '1e3', '-5', '-0', '70000', '65535', '65536', '0', '007', '"007"', '"443"', '"-"', '"-5"',
  '"- "', '"1234567890123456"', '123456789012345', '1234567890123456', '"#x"', '"#"', '"a b"', '"a\\tb"', '"\\u0041CCEPT"', '"\\"q\\""',
  '"é"', '"<b>x</b>"', '"=1+1"', '"\\u001b[31m"', '"10.0.0.1"', '"0.0.0.0"', '"255.255.255.255"', '"256.1.1.1"', '"01.2.3.4"', '"1.2.3"',
  '"1.2.3.4.5"', '"1.2.3.4 "', '"::1"', '"2001:db8::1"', '"fe80::1"', '"::ffff:10.0.0.1"', '"srcaddr"', '"version"', '"V1"', '"ACCEPT"',
  '"eni-1"', '{"x":1}', '[1,"]"]', '{}', '[]', '"\\u00a0"', '"log-status"', '"dstaddr"', '"x\u007fy"', '5 ', ' 5', '"tru"', 'nul', '1.', '-',
];

/** Whole lines: layout changes, lines that are no objects of fields, odd blanks and ends. */
const ODD_LINES = [
  '', '   ', '{"a":', '[1,2]', '42', 'null', '{}', '{"__TIMESTAMP__":1}', '{"__CONTENT__":"2 123 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK"}',
  '{"__CONTENT__":"version srcaddr dstaddr action bytes"}', '{"message":"# a comment"}', '{"version":2,"action":"REJECT","bytes":5,"srcaddr":"10.1.1.1","log_status":"OK"}',
  '{"srcaddr":"srcaddr","dstaddr":"dstaddr","action":"action","version":"version","bytes":"bytes"}', '{"srcaddr":"10.0.0.9","srcAddr":"10.0.0.8","bytes":1}',
  '{"weird":"srcaddr","other":"dstaddr"}', '{"action":"srcaddr","log_status":"dstaddr","srcaddr":"1.2.3.4","version":2}',
];

type Entry = [key: string, raw: string];

/** A CLS record's entries (metadata around the fields, as CLS writes them), values as raw JSON. */
function entries(r: string[], i: number): Entry[] {
  return [
    ['__TIMESTAMP__', String((Number(r[11]) + 9) * 1000)],
    ['__SOURCE__', '"10.0.1.17"'],
    ...KEYS.map((k, c): Entry => [k, NUMERIC.has(k) && r[c] !== '-' ? r[c] : JSON.stringify(r[c])]),
    ['__FILENAME__', '"/var/log/flowlog/vpc-flow.log"'],
    ['__HOSTNAME__', `"collector-${i % 3}"`],
  ];
}

interface Mutation {
  record: number;
  kind: 'value' | 'meta' | 'swap' | 'drop' | 'repeat' | 'escapeKey' | 'blank' | 'line' | 'tail';
  field: number;
  pick: number;
}

const TAILS = [' ', '\t', ' x', ',', '}', '\u0000'];

/** Lines of `count` records with mutations applied; joined by `\n` (the caller adds the line ends). */
function hostileLines(count: number, seed: number, mutations: Mutation[]): string[] {
  const lines = deliveryRecords(count, seed).map((r, i) => entries(r, i));
  const before = new Map<number, string>();
  const tails = new Map<number, string>();
  const spaced = new Set<number>();
  for (const m of mutations) {
    const r = m.record % lines.length;
    const e = lines[r];
    const f = m.field % e.length;
    switch (m.kind) {
      case 'value':
        e[2 + (m.field % KEYS.length)][1] = ODD_VALUES[m.pick % ODD_VALUES.length];
        break;
      case 'meta':
        // A metadata value: read by nobody, still valid JSON or not.
        e[m.pick % 2 === 0 ? 0 : e.length - 1][1] = ODD_VALUES[m.pick % ODD_VALUES.length];
        break;
      case 'swap': {
        const g = (f + 1 + (m.pick % (e.length - 1))) % e.length;
        [e[f], e[g]] = [e[g], e[f]];
        break;
      }
      case 'drop':
        e.splice(f, 1);
        break;
      case 'repeat':
        e.push([e[f][0], e[(f + 1) % e.length][1]]);
        break;
      case 'escapeKey':
        e[f][0] = `\\u00${e[f][0].charCodeAt(0).toString(16)}${e[f][0].slice(1)}`;
        break;
      case 'blank':
        spaced.add(r);
        break;
      case 'line':
        before.set(r, ODD_LINES[m.pick % ODD_LINES.length]);
        break;
      case 'tail':
        tails.set(r, TAILS[m.pick % TAILS.length]);
        break;
    }
  }
  const out: string[] = [];
  lines.forEach((e, i) => {
    const b = before.get(i);
    if (b !== undefined) out.push(b);
    // Keys are written as given: an escaped one (`\u0061ction`) stays escaped.
    const text = e.map(([k, v]) => `"${k.startsWith('\\u') ? k : JSON.stringify(k).slice(1, -1)}"${spaced.has(i) ? ': ' : ':'}${v}`).join(',');
    out.push(`{${text}}${tails.get(i) ?? ''}`);
  });
  return out;
}

interface Decoded {
  text: string;
  lines: number[];
  problems: string[];
}

function collect(chunks: (DecodedChunk | undefined)[]): Decoded {
  let text = '';
  const lines: number[] = [];
  const problems: string[] = [];
  for (const c of chunks) {
    if (!c) continue;
    const s = Buffer.from(c.bytes).toString();
    const count = s.split('\n').length - 1;
    for (let k = 0; k < count; k++) lines.push(c.lines ? c.lines[k] : c.firstLine + k);
    text += s;
    for (const p of c.problems ?? []) problems.push(`${p.line}: ${p.message}`);
  }
  return { text, lines, problems };
}

/** Lines written by the compiled reader (a spy on the sink's writer of its lines). */
function countingCompiled<T>(f: () => T): { result: T; compiled: number } {
  const proto = JsonLinesSink.prototype as unknown as { writeSpans: (...a: unknown[]) => void };
  const write = proto.writeSpans;
  let compiled = 0;
  proto.writeSpans = function (this: unknown, ...a: unknown[]) {
    compiled++;
    return write.apply(this, a);
  };
  try {
    return { result: f(), compiled };
  } finally {
    proto.writeSpans = write;
  }
}

/**
 * The lines through the sink as runs (compiled reader first; cut into runs at `cuts` line starts, as reads are) and
 * one at a time (the general path alone).
 */
function bothWays(lines: string[], fields: string[], cuts: number[] = []): { runs: Decoded; single: Decoded; compiled: number } {
  const buf = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const { result: runs, compiled } = countingCompiled(() => {
    const out = new ChunkWriter();
    const sink = new JsonLinesSink(out, fields);
    const starts = [0];
    for (let i = buf.indexOf(10); i >= 0 && i < buf.length - 1; i = buf.indexOf(10, i + 1)) starts.push(i + 1);
    const at = [...new Set(cuts.map((c) => starts[c % starts.length]))].sort((a, b) => a - b).filter((s) => s > 0);
    let lineNo = 1;
    let from = 0;
    for (const to of [...at, buf.length]) {
      lineNo += sink.run(buf, from, to, lineNo, 1 << 30);
      from = to;
    }
    return collect([out.take(buf.length)]);
  });
  const out = new ChunkWriter();
  const sink = new JsonLinesSink(out, fields);
  let start = 0;
  let lineNo = 1;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
    sink.line(buf, start, i, lineNo++);
    start = i + 1;
  }
  return { runs, single: collect([out.take(buf.length)]), compiled };
}

describe('JSON lines: the compiled reader of a key layout', () => {
  it('reads the usual CLS line in place and gives up on what only the general path can judge', () => {
    const good = '{"__TIMESTAMP__":1,"version":2,"srcaddr":"10.0.0.1","srcport":80,"bytes":7,"action":"ACCEPT","log_status":"OK","__HOSTNAME__":"h 1"}\n';
    const keys = ['__TIMESTAMP__', 'version', 'srcaddr', 'srcport', 'bytes', 'action', 'log_status', '__HOSTNAME__'].map((k) => new Uint8Array(Buffer.from(k)));
    const p = projectHeader(['version', 'srcaddr', 'srcport', 'bytes', 'action', 'log-status'], new Set(['srcaddr', 'bytes']), new LineJudge())!;
    const read = compiledJsonLineOf(keys, Int32Array.from([1, 2, 3, 4, 5, 6]), p);
    const spans = new Int32Array(4);
    const at = (line: string) => {
      const buf = Buffer.from(line);
      return { stop: read(buf, 0, buf.length, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), spans), buf };
    };
    const { stop, buf } = at(good);
    assert.equal(stop, good.length - 1);
    assert.equal(buf.subarray(spans[0], spans[1]).toString(), '10.0.0.1');
    assert.equal(buf.subarray(spans[2], spans[3]).toString(), '7');
    assert.ok(at(good.replace('"bytes":7', '"bytes":null')).stop > 0, 'null: missing');
    assert.equal(spans[2], -1);
    assert.ok(at(good.replace('"srcport":80', '"srcport":"-"')).stop > 0, '"-": NULL');
    for (const [from, to] of [
      ['"srcport":80', '"srcport":70000'], ['"srcport":80', '"srcport":-1'], ['"bytes":7', '"bytes":7.0'], ['"bytes":7', '"bytes": 7'],
      ['"srcaddr":"10.0.0.1"', '"srcaddr":"10.0.0.256"'], ['"action":"ACCEPT"', '"action":"#x"'], ['"action":"ACCEPT"', '"action":"A\\u0043"'],
      ['"version":2', '"version":"v2"'], ['"log_status"', '"log-status"'], ['"h 1"', '"h\\n"'], ['}\n', '} \n'], ['"bytes":7', '"bytes":{"a":1}'],
    ]) {
      assert.equal(at(good.replace(from, to)).stop, -1, `${from} -> ${to}`);
    }
    assert.ok(at(good.replace('"h 1"', '{"a":"}"}')).stop > 0, 'a nested value nobody reads');
  });

  it('runs of lines and single lines give the same lines on a CLS file of good records, the compiled reader reading them', () => {
    const lines = toJsonLines(deliveryRecords(2000, 3)).trimEnd().split('\n');
    for (const fields of FIELD_SETS) {
      const { runs, single, compiled } = bothWays(lines, fields, [100, 777, 1500]);
      assert.deepEqual(runs, single, fields.join(','));
      assert.equal(single.problems.length, 0);
      if (letterFirst(fields)) assert.equal(compiled, 0);
      else assert.ok(compiled > 1900, `${fields}: ${compiled} lines compiled`);
    }
  });

  it('runs of lines and single lines give the same lines on hostile files', () => {
    const mutation = fc.record({
      record: fc.nat(199),
      kind: fc.constantFrom<Mutation['kind']>('value', 'value', 'value', 'value', 'meta', 'swap', 'drop', 'repeat', 'escapeKey', 'blank', 'line', 'line', 'tail'),
      field: fc.nat(19),
      pick: fc.nat(200),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 60 }), fc.nat(1000), fc.nat(FIELD_SETS.length - 1), fc.array(fc.nat(250), { maxLength: 4 }), (mutations, seed, f, cuts) => {
        const lines = hostileLines(200, seed, mutations);
        const { runs, single } = bothWays(lines, FIELD_SETS[f], cuts);
        assert.deepEqual(runs, single);
      }),
      { numRuns: 100, seed: 7 },
    );
    // Every odd value in every field and in metadata, every odd line, under every field set: dense (most lines odd:
    // the compiled reader is turned off for the layout) and sparse (one line in seven odd).
    for (const spread of [1, 7]) {
      const all: Mutation[] = [];
      ODD_VALUES.forEach((_, pick) => {
        for (let field = 0; field < KEYS.length; field++) all.push({ record: (pick * KEYS.length + field) * spread, kind: 'value', field, pick });
        all.push({ record: (pick * 3 + 1) * spread, kind: 'meta', field: 0, pick });
      });
      ODD_LINES.forEach((_, pick) => all.push({ record: (7 + pick * 31) * spread, kind: 'line', field: 0, pick }));
      const lines = hostileLines(1000 * spread, 5, all);
      for (const fields of FIELD_SETS) {
        const { runs, single, compiled } = bothWays(lines, fields, [300, 600]);
        assert.deepEqual(runs, single, fields.join(','));
        assert.ok(single.problems.length > 100, `${fields}: ${single.problems.length} problems`);
        if (spread > 1 && !letterFirst(fields)) assert.ok(compiled > 4000, `${fields}: ${compiled} compiled`);
      }
    }
  });

  it('a key set that changes mid-file and back, keys in another order: the same lines, compiled again for each', () => {
    const recs = toJsonLines(deliveryRecords(600, 9)).trimEnd().split('\n');
    const reordered = recs.map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(Object.fromEntries(Object.entries(o).reverse()));
    });
    const fewer = recs.map((l) => l.replace(/"account_id":"[^"]*",/, ''));
    const lines = [...recs.slice(0, 150), ...reordered.slice(150, 300), ...fewer.slice(300, 450), ...recs.slice(450)];
    for (const fields of FIELD_SETS) {
      const { runs, single, compiled } = bothWays(lines, fields, [149, 151, 299, 449]);
      assert.deepEqual(runs, single, fields.join(','));
      if (!letterFirst(fields)) assert.ok(compiled > 550, `${fields}: ${compiled}`);
    }
  });

  it('a whole file read by ranges (runs) and as one small file (line by line): `\\r\\n` ends and a long line too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'json-compiled-'));
    try {
      const all: Mutation[] = ODD_VALUES.map((_, pick) => ({ record: pick * 5, kind: 'value' as const, field: pick, pick }));
      const lines = hostileLines(400, 2, all);
      // A line longer than a read (1 MiB): past it the general splitter reads on, the compiled reader before it.
      const long = `{"version":2,"action":"${'A'.repeat(3 << 20)}","srcaddr":"10.0.0.1","bytes":1}`;
      const bodies = [lines.join('\n') + '\n', lines.join('\r\n') + '\r\n', [...lines.slice(0, 200), long, ...lines.slice(200)].join('\n') + '\n'];
      for (const [b, body] of bodies.entries()) {
        const path = join(dir, `${b}.json`);
        writeFileSync(path, body);
        for (const fields of FIELD_SETS.slice(0, 3)) {
          const chunks = async (it: AsyncIterable<DecodedChunk>) => {
            const got: DecodedChunk[] = [];
            for await (const c of it) got.push({ ...c, bytes: Uint8Array.from(c.bytes) });
            return collect(got);
          };
          for (const maxLineBytes of [undefined, 1 << 20]) {
            const ranged = await chunks(decodeFileRange(path, 0, Buffer.byteLength(body), { formatHint: 'json', fields, maxLineBytes }));
            const whole = await chunks(decodeFile(path, { fields, maxLineBytes }));
            assert.deepEqual(ranged, whole, `${b} ${fields} ${maxLineBytes}`);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
