// JSON lines read for a query that reads only some fields (readers/jsonProjection.ts): lines keep only those
// fields, and every answer stays the one of the full lines. An aggregate query (projected) is checked against plain
// SELECTs over every field (never projected) on the same file: the same records and malformed lines, the same
// counts, sums and groups; on files of hostile values, layouts that change mid-file, escaped strings, text records,
// values that read as field names, `\r\n` line ends; on one thread and on worker threads reading byte ranges.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { QueryOptions, runQuery, Value } from '../../server/src/core/query';
import { decodeFile, decodeFileRange, DecodedChunk } from '../../server/src/core/readers';
import { deliveryRecords, toJsonLines } from '../support/deliveries';
import { savedEnv } from '../support/env';

const BUNDLE = resolve(__dirname, '../../dist/cli.js');
const ALL = 'version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action, log_status';
const restoreEnv = savedEnv('FLOWLOG_WORKER_SCRIPT', 'FLOWLOG_PARALLEL_MIN_BYTES');
let dir: string;
let n = 0;

before(() => {
  assert.ok(existsSync(BUNDLE), 'npm test builds dist/cli.js first (the workers run the bundle)');
  process.env.FLOWLOG_WORKER_SCRIPT = BUNDLE;
  // Files split into byte ranges from 4 KB up: worker threads read ranges of the small test files.
  process.env.FLOWLOG_PARALLEL_MIN_BYTES = String(4 << 10);
  dir = mkdtempSync(join(tmpdir(), 'json-projection-'));
});

after(() => {
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

function file(content: string): string {
  const path = join(dir, `${n++}.json`);
  writeFileSync(path, content);
  return path;
}

/** A JSON line from raw JSON texts (so `25238.0`, `1e3` and escapes are written as given). */
function line(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}\n`;
}

const KEYS = ['version', 'account_id', 'interface_id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log_status'];
const NUMERIC = new Set(['version', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end']);

/** A good CLS record's entries (metadata around the fields, as CLS writes them). */
function entries(r: string[], i: number): [string, string][] {
  return [
    ['__TIMESTAMP__', String((Number(r[11]) + 9) * 1000)],
    ['__SOURCE__', '"10.0.1.17"'],
    ...KEYS.map((k, c): [string, string] => [k, NUMERIC.has(k) && r[c] !== '-' ? r[c] : JSON.stringify(r[c])]),
    ['__FILENAME__', '"\\/var\\/log\\/flowlog\\/vpc-flow.log"'],
    ['__HOSTNAME__', `"collector-${i % 3}"`],
  ];
}

/** Raw JSON values a hostile or odd export may hold where a field's value goes. */
const ODD_VALUES = [
  '"-"', '""', 'null', '25238.0', '1e3', '-5', '70000', '"#x"', '"#"', '"a b"', '"<b>x</b>"', '"=1+1"', '"\\u001b[31m"',
  '"eni-\\u0061bc"', '"10.0.0.1"', '"::1"', '"2001:db8::1"', '"300.1.1.1"', '"srcaddr"', '"version"', '"V1"', '"ACCEPT"',
  '{"x":1}', '[1]', 'true', '"é"', '"0x16"', '3.5', '"00080"', '"443"', '"-0"', '"1234567890123456"', '"\\u00a0"',
  '"log-status"', '"dstaddr"', '"\\u0023y"', '0', '"\\"q\\""',
];

/** Whole lines that change the layout, are not objects of fields, or carry text records. */
const ODD_LINES = [
  '\n', '   \n', '{"a":\n', '[1,2]\n', '42\n', 'null\n', '{}\n', '{"__TIMESTAMP__":1}\n',
  '{"__CONTENT__":"2 123 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK"}\n',
  '{"__CONTENT__":"version srcaddr dstaddr action bytes"}\n', '{"message":"# a comment"}\n',
  '  {"version":2,"action":"REJECT","bytes":5,"srcaddr":"10.1.1.1","log_status":"OK"}\n',
  '{"srcaddr":"srcaddr","dstaddr":"dstaddr","action":"action","version":"version","bytes":"bytes"}\n',
  '{"srcaddr":"10.0.0.9","bytes":"1e9","action":"ACCEPT","extra key":1}\n', '{"srcaddr":"10.0.0.9","srcAddr":"10.0.0.8","bytes":1}\n',
  '{"weird":"srcaddr","other":"dstaddr"}\n', '{"action":"srcaddr","log_status":"dstaddr","srcaddr":"1.2.3.4","version":2}\n',
];

interface Mutation {
  record: number;
  kind: 'value' | 'swap' | 'drop' | 'line' | 'allNames';
  field: number;
  other: number;
  pick: number;
}

/** A file of `count` records with mutations applied (each a hostile value, a reordering, a missing key, an odd line). */
function hostileFile(count: number, seed: number, mutations: Mutation[], crlf = false): string {
  const recs = deliveryRecords(count, seed);
  const lines = recs.map((r, i) => entries(r, i));
  const extra = new Map<number, string>();
  for (const m of mutations) {
    const e = lines[m.record % lines.length];
    const f = 2 + (m.field % KEYS.length);
    if (m.kind === 'value') e[f] = [e[f][0], ODD_VALUES[m.pick % ODD_VALUES.length]];
    else if (m.kind === 'swap') {
      const g = 2 + (m.other % KEYS.length);
      [e[f], e[g]] = [e[g], e[f]];
    } else if (m.kind === 'drop') e.splice(f, 1);
    else if (m.kind === 'allNames') for (let c = 2; c < 2 + KEYS.length && c < e.length; c++) e[c] = [e[c][0], JSON.stringify(KEYS[(c + m.pick) % KEYS.length].replace(/_/g, '-'))];
    else extra.set(m.record % lines.length, ODD_LINES[m.pick % ODD_LINES.length]);
  }
  const text = lines.map((e, i) => (extra.get(i) ?? '') + line(e)).join('');
  return crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** Answers of the aggregate queries (projected) and of the plain SELECTs over every field (full lines). */
async function compare(path: string, options: QueryOptions): Promise<void> {
  const full = await runQuery({ kind: 'files', paths: [path] }, `* | select ${ALL}`, { ...options, limit: 1_000_000 });
  const rows = full.rows;
  const col = (name: string) => full.columns.indexOf(name);
  const check = async (query: string, expected: Value[][]) => {
    const r = await runQuery({ kind: 'files', paths: [path] }, query, { ...options, limit: 1_000_000 });
    assert.equal(r.stats.records, full.stats.records, `${query}: records`);
    assert.equal(r.stats.malformed, full.stats.malformed, `${query}: malformed lines`);
    assert.deepEqual(r.rows, expected, query);
  };
  await check('* | select count(*) as n', [[rows.length]]);
  // A search is the full path when it returns rows, the projected one under count(*).
  for (const search of ['action:REJECT', 'dstport:443', 'srcaddr:10.0.0.0/8', 'log_status:NODATA', 'protocol:6 AND NOT action:ACCEPT']) {
    const matched = await runQuery({ kind: 'files', paths: [path] }, `${search} | select ${ALL}`, { ...options, limit: 1_000_000 });
    await check(`${search} | select count(*) as n`, [[matched.rows.length]]);
  }
  // Groups and sums over one field, two fields, a WHERE on a third: computed here from the full rows.
  const groups = (key: string, sumOf: string | undefined, where?: (r: Value[]) => boolean) => {
    const m = new Map<Value, { b: number | null; n: number }>();
    for (const r of rows) {
      if (where && !where(r)) continue;
      const k = r[col(key)];
      const g = m.get(k) ?? { b: null, n: 0 };
      const v = sumOf ? r[col(sumOf)] : null;
      if (typeof v === 'number') g.b = (g.b ?? 0) + v;
      g.n++;
      m.set(k, g);
    }
    return m;
  };
  const bySrc = [...groups('srcaddr', 'bytes')].map(([k, g]) => [k, g.b, g.n] as Value[]);
  bySrc.sort((a, b) => (a[1] === null ? 1 : 0) - (b[1] === null ? 1 : 0) || (b[1] as number) - (a[1] as number) || cmpNullLast(a[0], b[0]));
  await check('* | select srcaddr, sum(bytes) as b, count(*) as n group by srcaddr order by b desc, srcaddr limit 10', bySrc.slice(0, 10));
  const byPort = [...groups('dstport', undefined, (r) => r[col('action')] === 'ACCEPT')].map(([k, g]) => [k, g.n] as Value[]);
  byPort.sort((a, b) => (b[1] as number) - (a[1] as number) || cmpNullLast(a[0], b[0]));
  await check("* | select dstport, count(*) as n where action = 'ACCEPT' group by dstport order by n desc, dstport limit 5", byPort.slice(0, 5));
  // Every field read at once (nothing left out) and one field: the same records.
  const everyField = ALL.split(', ').map((f) => `count(${f})`).join(', ');
  const counts = ALL.split(', ').map((f) => rows.filter((r) => r[col(f)] !== null).length);
  await check(`* | select ${everyField}`, [counts]);
  await check('* | select count(log_status) as n', [[counts[KEYS.indexOf('log_status')]]]);
}

function cmpNullLast(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

async function text(chunks: AsyncIterable<DecodedChunk>): Promise<{ text: string; lines: number[]; problems: string[] }> {
  let t = '';
  const lines: number[] = [];
  const problems: string[] = [];
  for await (const c of chunks) {
    const s = Buffer.from(c.bytes).toString();
    const count = s.split('\n').length - 1;
    for (let k = 0; k < count; k++) lines.push(c.lines ? c.lines[k] : c.firstLine + k);
    t += s;
    for (const p of c.problems ?? []) problems.push(`${p.line}: ${p.message}`);
  }
  return { text: t, lines, problems };
}

describe('JSON lines: lines of the fields a query reads', () => {
  it('keeps the fields read (two at least: a header line names two), judges every value as the full line would', async () => {
    const path = file([
      '{"__TIMESTAMP__":1,"version":2,"srcaddr":"10.0.0.1","srcport":80,"bytes":25238.0,"action":"REJECT","log_status":"OK","__HOSTNAME__":"h"}\n',
      '{"__TIMESTAMP__":1,"version":2,"srcaddr":"10.0.0.1","srcport":70000,"bytes":5,"action":"REJECT","log_status":"OK","__HOSTNAME__":"h"}\n',
      '{"__TIMESTAMP__":1,"version":2,"srcaddr":"10.0.0.1","srcport":80,"bytes":5,"action":"#x","log_status":"OK","__HOSTNAME__":"h"}\n',
      '{"__TIMESTAMP__":1,"version":"#2","srcaddr":"10.0.0.1","srcport":80,"bytes":5,"action":"ACCEPT","log_status":"OK","__HOSTNAME__":"h"}\n',
      '{"__TIMESTAMP__":1,"version":2,"srcaddr":"10.0.0.1","srcport":80,"bytes":5,"action":"a b","log_status":"OK","__HOSTNAME__":"h"}\n',
      '{"__TIMESTAMP__":1,"version":2,"srcaddr":"-","srcport":"-","bytes":"-","action":"-","log_status":"NODATA","__HOSTNAME__":"h"}\n',
    ].join(''));
    const kept = await text(decodeFile(path, { fields: ['action', 'bytes'] }));
    // Line 2: port out of range; line 3: `#x` ends the full line early; line 4: the full line is a comment.
    assert.equal(kept.text, 'bytes action\n25238 REJECT\n!\n!\n#\n!\n- -\n');
    assert.deepEqual(kept.lines, [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(kept.problems, ['5: action: the value holds a space or control character']);
    const one = await text(decodeFile(path, { fields: ['action'] }));
    assert.equal(one.text.split('\n')[0], 'version action', 'a text field fills the header to two names');
    const full = await text(decodeFile(path));
    assert.equal(full.text.split('\n')[0], 'version srcaddr srcport bytes action log-status');
    assert.deepEqual(full.problems, kept.problems);
  });

  it('an escaped value is decoded, a record whose kept values read as a header line goes in full', async () => {
    const path = file([
      '{"version":2,"interface_id":"eni-1","srcaddr":"10.0.0.1","action":"\\u0041CCEPT","log_status":"OK"}\n',
      '{"version":2,"interface_id":"eni-1","srcaddr":"10.0.0.1","action":"srcaddr","log_status":"dstaddr"}\n',
      '{"version":2,"interface_id":"eni-2","srcaddr":"10.0.0.2","action":"REJECT","log_status":"OK"}\n',
    ].join(''));
    const r = await text(decodeFile(path, { fields: ['action', 'log-status'] }));
    assert.equal(r.text, [
      'action log-status', 'ACCEPT OK',
      // `srcaddr dstaddr` alone would be a header line: under the full header, the line is a record.
      'version interface-id srcaddr action log-status', '2 eni-1 10.0.0.1 srcaddr dstaddr', 'action log-status', 'REJECT OK', '',
    ].join('\n'));
    assert.deepEqual(r.lines, [0, 1, 0, 2, 0, 3]);
    await compare(path, { threads: 1 });
  });

  it('a record the engine reads as a header line binds it, as without projection: lines in full until the next header', async () => {
    const path = file([
      '{"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","action":"ACCEPT","bytes":1}\n',
      '{"srcaddr":"bytes","dstaddr":"action","action":"srcaddr","bytes":"dstaddr"}\n',
      '{"srcaddr":"10.0.0.3","dstaddr":"10.0.0.4","action":"REJECT","bytes":2}\n',
      '{"srcaddr":"10.0.0.5","action":"REJECT"}\n',
    ].join(''));
    const r = await text(decodeFile(path, { fields: ['action', 'srcaddr'] }));
    assert.equal(r.text, [
      'srcaddr action', '10.0.0.1 ACCEPT', 'srcaddr dstaddr action bytes', 'bytes action srcaddr dstaddr',
      '10.0.0.3 10.0.0.4 REJECT 2', 'srcaddr action', '10.0.0.5 REJECT', '',
    ].join('\n'));
    await compare(path, { threads: 1 });
  });

  it('byte ranges of a file give the lines of the whole file, `\\r\\n` line ends and a last line without one too', async () => {
    // (No line that binds a header of its own: a range after it starts over with its own header, by design.)
    const body = hostileFile(400, 7, [{ record: 50, kind: 'line', field: 0, other: 0, pick: 3 }, { record: 90, kind: 'value', field: 3, other: 0, pick: 13 }]);
    for (const content of [body, body.replace(/\n/g, '\r\n'), body.slice(0, -1), body.slice(0, 5000) + body.slice(5000).replace(/\n/g, '\r\n')]) {
      const path = file(content);
      const whole = await text(decodeFile(path, { fields: ['bytes', 'srcaddr'] }));
      const size = Buffer.byteLength(content);
      const cut = Buffer.from(content).indexOf(10, size >> 1) + 1;
      const a = await text(decodeFileRange(path, 0, cut, { formatHint: 'json', fields: ['bytes', 'srcaddr'] }));
      const b = await text(decodeFileRange(path, cut, size, { formatHint: 'json', fields: ['bytes', 'srcaddr'] }));
      const firstOfB = b.text.indexOf('\n') + 1; // b makes its own header
      assert.equal(a.text + b.text.slice(firstOfB), whole.text);
      assert.equal(a.problems.length + b.problems.length, whole.problems.length);
    }
  });

  it('a run of lines read from a file joins no two lines: line breaks after an escape, inside nested values, between keys', async () => {
    const good = '{"version":2,"srcaddr":"10.0.0.1","bytes":7,"action":"ACCEPT","log_status":"OK"}\n';
    const content = [
      good, '{"version":"x\\\n"}\n', good, '{"version":{"b":"x\\\n"}}\n', good, '{"version":{"b":1,\n"c":2}}\n', '{"version":2,\n"bytes":2}\n',
      '{"k\\\n":1}\n', `{"version":2,"srcaddr":"10.0.0.1","bytes":7,"action":"${'A'.repeat(150)}","log_status":"OK"}\n`, good, '  \n', good,
    ].join('');
    const path = file(content);
    const bom = file(`\ufeff${good}${good}`);
    assert.deepEqual(await text(decodeFileRange(bom, 0, Buffer.byteLength(`\ufeff${good}${good}`), { formatHint: 'json' })), await text(decodeFile(bom)));
    for (const fields of [undefined, ['bytes', 'srcaddr']]) {
      // The whole small file goes through the line splitter; a range of it through the runs.
      const split = await text(decodeFile(path, { fields, maxLineBytes: 120 }));
      const runs = await text(decodeFileRange(path, 0, Buffer.byteLength(content), { formatHint: 'json', fields, maxLineBytes: 120 }));
      assert.deepEqual(runs, split);
      assert.equal(split.problems.length, 11, split.problems.join('; '));
    }
  });

  it('answers of aggregates (fields left out) equal those of the full lines on hostile files, one thread and workers', async () => {
    const mutation = fc.record({
      record: fc.nat(299),
      kind: fc.constantFrom<Mutation['kind']>('value', 'value', 'value', 'swap', 'drop', 'line', 'line', 'allNames'),
      field: fc.nat(13),
      other: fc.nat(13),
      pick: fc.nat(60),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 40 }), fc.nat(1000), fc.boolean(), async (mutations, seed, crlf) => {
        const path = file(hostileFile(300, seed, mutations, crlf));
        await compare(path, { threads: 1 });
      }),
      { numRuns: 25, seed: 11 },
    );
    // Every odd value and odd line at least once, on worker threads reading ranges.
    const all: Mutation[] = [
      ...ODD_VALUES.map((_, pick) => ({ record: pick * 7, kind: 'value' as const, field: pick, other: 0, pick })),
      ...ODD_LINES.map((_, pick) => ({ record: 5 + pick * 11, kind: 'line' as const, field: 0, other: 0, pick })),
      { record: 250, kind: 'swap', field: 1, other: 9, pick: 0 }, { record: 260, kind: 'drop', field: 4, other: 0, pick: 0 },
      { record: 270, kind: 'allNames', field: 0, other: 0, pick: 3 },
    ];
    const path = file(hostileFile(300, 5, all));
    await compare(path, { threads: 1 });
    await compare(path, { threads: 2 });
  });

  it('a CLS file of good records: the same answers as the full lines', async () => {
    const path = file(toJsonLines(deliveryRecords(3000, 4)));
    await compare(path, { threads: 1 });
    await compare(path, { threads: 2 });
  });
});
