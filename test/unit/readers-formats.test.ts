// The decoders of each encoding (CLS JSON lines, CLS CSV, CloudWatch exports, Parquet) and format detection.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { decodeFile, detectFile, DecodeError, DecodedChunk, DecodeOptions } from '../../server/src/core/readers';
import { detectCompression, detectEncoding } from '../../server/src/core/readers/detect';
import { canonical, deliveryRecords, gzipMembers, snappyRaw, toCloudWatch, toCsv, toJsonLines } from '../support/deliveries';

const FIXTURES = join(__dirname, '..', 'fixtures', 'deliveries');
const dir = mkdtempSync(join(tmpdir(), 'readers-formats-'));
let n = 0;

async function decodeText(content: string | Uint8Array, name: string, options: DecodeOptions = {}) {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  const chunks: DecodedChunk[] = [];
  let error: DecodeError | undefined;
  try {
    for await (const c of decodeFile(path, options)) chunks.push(c);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    error = e;
  }
  const text = chunks.map((c) => Buffer.from(c.bytes).toString()).join('');
  const problems = chunks.flatMap((c) => c.problems ?? []);
  const lines: number[] = [];
  for (const c of chunks) {
    const count = Buffer.from(c.bytes).toString().split('\n').length - 1;
    for (let k = 0; k < count; k++) lines.push(c.lines ? c.lines[k] : c.firstLine + k);
  }
  return { text, problems, lines, error, path };
}

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

describe('readers: CLS JSON lines', () => {
  it('makes a header from the keys (canonical names), drops CLS metadata, keeps source line numbers', async () => {
    const r = await decodeText('{"__TIMESTAMP__":1705312800123,"version":2,"account_id":"1","srcAddr":"1.2.3.4","log-status":"OK","__TAG__":{"pod":"a b"}}\n', 'a.json');
    assert.equal(r.text, 'version account-id srcaddr log-status\n2 1 1.2.3.4 OK\n');
    assert.deepEqual(r.lines, [0, 1]);
  });

  it('writes null and "" as -, integer-valued floats as integers, decodes escapes', async () => {
    const r = await decodeText('{"a":null,"b":"","c":25238.0,"d":1.5,"e":-3,"f":"eni-\\u0061bc","g":true,"h":1e3}\n', 'b.json');
    assert.equal(r.text, 'a b c d e f g h\n- - 25238 1.5 -3 eni-abc true 1e3\n');
  });

  it('a new key set gets a new header; the same set in another order is written in the header order', async () => {
    const r = await decodeText('{"a":1,"b":2}\n{"b":3,"a":4}\n{"a":5,"c":6}\n', 'c.json');
    assert.equal(r.text, 'a b\n1 2\n4 3\na c\n5 6\n');
    assert.deepEqual(r.lines, [0, 1, 2, 0, 3]);
  });

  it('a line that is not an object is one problem with its line; the lines around it are read', async () => {
    const r = await decodeText('{"a":1}\n[1,2]\n"text"\n42\nnull\n{"a":\n{"a":"x y"}\n{"a":{"b":1}}\n{"a":1,"a":2}\n\n{"a":2}\n', 'd.json');
    assert.equal(r.text, 'a\n1\n!\n!\n!\n!\n!\n!\n!\n!\n\n2\n');
    assert.deepEqual(r.problems.map((p) => p.line), [2, 3, 4, 5, 6, 7, 8, 9]);
    assert.match(r.problems[0].message, /array, not an object/);
    assert.match(r.problems[1].message, /string, not an object/);
    assert.match(r.problems[4].message, /not valid JSON/);
    assert.match(r.problems[5].message, /^a: the value holds a space/);
    assert.match(r.problems[6].message, /object or array/);
    assert.match(r.problems[7].message, /twice/);
    assert.equal(r.error, undefined);
  });

  it('a bad line with a new key set does not change the header', async () => {
    const r = await decodeText('{"a":1}\n{"z":"x y"}\n{"a":2}\n', 'e.json');
    assert.equal(r.text, 'a\n1\n!\n2\n');
  });

  it('reads text records wrapped in `message` or CLS `__CONTENT__` as they are', async () => {
    const r = await decodeText('{"message":"2 1 eni-a - - - - - - - 1 2 - NODATA"}\n{"__CONTENT__":"version srcaddr","__SOURCE__":"x"}\n', 'f.json');
    assert.equal(r.text, '2 1 eni-a - - - - - - - 1 2 - NODATA\nversion srcaddr\n');
  });

  it('reads the not-object fixture: its good lines, and one problem a bad line', async () => {
    const chunks: DecodedChunk[] = [];
    for await (const c of decodeFile(join(FIXTURES, 'bad', 'not-object.json'))) chunks.push(c);
    const text = chunks.map((c) => Buffer.from(c.bytes).toString()).join('');
    const records = deliveryRecords(240, 7).slice(0, 3);
    assert.equal(text, `${HEADER}\n${records[0].join(' ')}\n!\n!\n${records[1].join(' ')}\n!\n${records[2].join(' ')}\n`);
    assert.deepEqual(chunks.flatMap((c) => c.problems ?? []).map((p) => p.line), [2, 3, 5]);
  });

  it('round-trips generated records, either key style, with or without metadata', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1000 }), fc.constantFrom('underscore', 'hyphen'), fc.boolean(), async (count, seed, keys, metadata) => {
        const records = deliveryRecords(count, seed);
        const r = await decodeText(toJsonLines(records, { keys: keys as 'underscore' | 'hyphen', metadata }), 'p.json');
        assert.equal(r.text, canonical(records, true));
        assert.deepEqual(r.problems, []);
      }),
      { numRuns: 25 },
    );
  });
});

describe('readers: CLS CSV', () => {
  it('reads quoted values with doubled quotes, trims blanks, turns empty values into -', async () => {
    const r = await decodeText('version,srcaddr,action\n2, "1.2.3.4" ,ACCEPT\n2,"1.2.3.4"x,ACCEPT\n', 'a.csv', { csv: { separator: ',', header: true } });
    assert.equal(r.text, 'version srcaddr action\n2 1.2.3.4 ACCEPT\n!\n');
    assert.deepEqual(r.problems, [{ line: 3, message: 'column 2: text after the closing quote' }]);
    const ok = await decodeText('version,srcaddr,action\n2,"1.2.3.4",ACCEPT\n"2","a""b",\n 3 , x ,REJECT\n', 'b.csv');
    assert.equal(ok.text, 'version srcaddr action\n2 1.2.3.4 ACCEPT\n2 a"b -\n3 x REJECT\n');
  });

  it('an unterminated quote is that row\'s problem; the rows after it are read', async () => {
    const chunks: DecodedChunk[] = [];
    for await (const c of decodeFile(join(FIXTURES, 'bad', 'unterminated.csv'))) chunks.push(c);
    const text = chunks.map((c) => Buffer.from(c.bytes).toString()).join('');
    const records = deliveryRecords(240, 7);
    assert.equal(text, `${HEADER}\n${records[0].join(' ')}\n!\n${records[2].join(' ')}\n${records[3].join(' ')}\n`);
    assert.deepEqual(chunks.flatMap((c) => c.problems ?? []), [{ line: 3, message: 'column 2: unterminated quote' }]);
  });

  it('a value with a space cannot be a field: a problem', async () => {
    const r = await decodeText('a,b\n1,"x y"\n2,z w\n', 'c.csv', { csv: { separator: ',', header: true } });
    assert.equal(r.text, 'a b\n!\n!\n');
    assert.equal(r.problems.length, 2);
  });

  it('configured field names make the header of a file without one; the CLS filler reads as -', async () => {
    const r = await decodeText('2|NULL|OK\n', 'd.csv', { formatHint: 'csv', csv: { separator: '|', header: false, fields: ['version', 'srcaddr', 'log_status'], missing: 'NULL' } });
    assert.equal(r.text, 'version srcaddr log-status\n2 - OK\n');
    assert.deepEqual(r.lines, [0, 1]);
  });

  it('space-separated CSV with quotes, by format hint', async () => {
    const r = await decodeText('"2" "eni-a" "OK"\n', 'e.txt', { formatHint: 'csv', csv: { separator: ' ', header: false } });
    assert.equal(r.text, '2 eni-a OK\n');
  });

  it('round-trips generated records with every separator, header or not, quoted or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 1000 }), fc.constantFrom(',', '\t', '|'), fc.boolean(), fc.constantFrom('all', 'none'), async (count, seed, separator, header, quote) => {
        const records = deliveryRecords(count, seed);
        const r = await decodeText(toCsv(records, { separator, header, quote: quote as 'all' | 'none' }), 'p.csv');
        assert.equal(r.text, canonical(records, header));
        assert.deepEqual(r.problems, []);
      }),
      { numRuns: 25 },
    );
  });
});

describe('readers: CloudWatch exports', () => {
  it('drops the ISO-8601 prefix in its forms; a line without one passes through', async () => {
    const r = await decodeText('2024-01-15T10:00:07.000Z 2 a OK\n2024-01-15T10:00:07Z 3 b OK\n2024-01-15T10:00:07.123456+00:00 4 c OK\nplain line\n', '000000');
    assert.equal(r.text, '2 a OK\n3 b OK\n4 c OK\nplain line\n');
  });

  it('round-trips generated records (gzip, as exported)', async () => {
    const records = deliveryRecords(500, 21);
    const r = await decodeText(gzipMembers(toCloudWatch(records), 1), '000000.gz');
    assert.equal(r.text, canonical(records, false));
  });
});

describe('readers: Parquet', () => {
  const file = join(FIXTURES, 's3-parquet', 'AWSLogs', '123456789010', 'vpcflowlogs', 'us-east-1', '2024', '01', '15', '123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20240115T1000Z_9c0d1e2f.log.parquet');

  it('reads AWS columns (typed, `_` names, Gzip pages) as canonical lines, NULL as -', async () => {
    const chunks: DecodedChunk[] = [];
    for await (const c of decodeFile(file)) chunks.push(c);
    const text = chunks.map((c) => Buffer.from(c.bytes).toString()).join('');
    assert.equal(text, canonical(deliveryRecords(240, 7), true));
    assert.equal(chunks[0].firstLine, 0);
    assert.ok(text.includes(' - - - - - - - '), 'NODATA records come back with -');
  });

  it('reads several row groups, Snappy pages, and reports a value with a space as that row\'s problem', async () => {
    const records = deliveryRecords(5000, 13);
    const textPath = join(dir, 'pq-source.log');
    writeFileSync(textPath, canonical(records, true));
    const path = join(dir, 'groups.log.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    // Row 3001 gets an action with a space in it (a value a space-separated record cannot hold).
    await db.run(`COPY (SELECT * REPLACE (CASE WHEN start = ${records[3000][10]} AND srcaddr = '${records[3000][3]}' THEN 'NOT OK' ELSE action END AS action)
      FROM read_csv('${textPath}', delim=' ', header=true, nullstr='-', auto_detect=false, columns={'version': 'INTEGER', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER', 'protocol': 'BIGINT', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT', 'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'}))
      TO '${path}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 2048)`);
    db.closeSync();
    const chunks: DecodedChunk[] = [];
    for await (const c of decodeFile(path)) chunks.push(c);
    const lines = chunks.map((c) => Buffer.from(c.bytes).toString()).join('').split('\n');
    const expected = canonical(records, true).split('\n');
    const bad = chunks.flatMap((c) => c.problems ?? []);
    assert.equal(bad.length, 1);
    assert.match(bad[0].message, /^action: the value holds a space/);
    assert.equal(bad[0].line, 3001);
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
    assert.ok(meta.row_groups.length >= 3, `${meta.row_groups.length} row groups`);
    expected[bad[0].line] = '!';
    assert.deepEqual(lines, expected);
  });

  it('a truncated Parquet file is one error naming the file', async () => {
    const path = join(FIXTURES, 'bad', 'truncated.log.parquet');
    await assert.rejects(async () => {
      for await (const c of decodeFile(path)) void c;
    }, (e: unknown) => e instanceof DecodeError && e.path === path && /truncated\.log\.parquet: Parquet: the file ends without a Parquet footer \(truncated\?\)$/.test(e.message));
  });
});

describe('readers: detection', () => {
  it('compression by magic bytes first, then by name for snappy shapes without magic', () => {
    assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0]), 100, 'x'), 'gzip');
    assert.equal(detectCompression(Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0, 0x0d, 0x0a, 0x1a, 0x0a]), 100, 'x'), 'lzo');
    assert.equal(detectCompression(Buffer.from([0xff, 6, 0, 0, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]), 100, 'x'), 'snappy');
    const raw = snappyRaw('{"a":1}\n{"a":2}\n');
    assert.equal(detectCompression(raw, raw.length, 'x.snappy'), 'snappy');
    assert.equal(detectCompression(raw, raw.length, 'x'), 'none');
    assert.equal(detectCompression(Buffer.from('2 123 eni-a'), 11, 'x.log.gz'), 'none', 'a .gz a download tool already expanded');
  });

  it('encoding by content: JSON, CloudWatch, CSV and its separator and header, text', () => {
    const enc = (s: string, name = 'x') => detectEncoding(Buffer.from(s), name);
    assert.deepEqual(enc('{"a":1}\n'), { encoding: 'json' });
    assert.deepEqual(enc('2024-01-15T10:00:07.000Z 2 a\n'), { encoding: 'cloudwatch' });
    assert.deepEqual(enc('version,srcaddr,action\n2,1.2.3.4,ACCEPT\n'), { encoding: 'csv', csv: { separator: ',', header: true } });
    assert.deepEqual(enc('2\t1.2.3.4\tACCEPT\n2\t1.2.3.5\tREJECT\n'), { encoding: 'csv', csv: { separator: '\t', header: false } });
    assert.deepEqual(enc('"version"|"srcaddr"\n"2"|"1.2.3.4"\n'), { encoding: 'csv', csv: { separator: '|', header: true } });
    assert.deepEqual(enc(`${HEADER}\n2 1 eni-a 1.2.3.4 1.2.3.5 1 2 6 1 40 1 2 ACCEPT OK\n`), { encoding: 'text' });
    assert.deepEqual(enc('[1,2]\n', 'x.json'), { encoding: 'json' });
    // A record without a header whose interface id holds a `;` (a terminal escape) is text, not `;`-separated CSV.
    assert.deepEqual(enc('V1 1251762227 eni-x\u001b]0;pwned\u0007 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK\n'), { encoding: 'text' });
  });

  it('detects every fixture delivery as what it is', async () => {
    const cases: [string[], object][] = [
      [['s3', 'AWSLogs', '123456789010', 'vpcflowlogs', 'us-east-1', '2024', '01', '15', '123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_20240115T1000Z_1a2b3c4d.log.gz'], { compression: 'gzip', encoding: 'text' }],
      [['cls-json', '2024', '01', '15', '10', '202401151005_000_3000.snappy'], { compression: 'snappy', encoding: 'json' }],
      [['cls-json', '2024', '01', '15', '10', '202401151005_000_4000.lzo'], { compression: 'lzo', encoding: 'json' }],
      [['cls-csv', 'pipe-header', '202401151005_000_7000.csv.gz'], { compression: 'gzip', encoding: 'csv', csv: { separator: '|', header: true } }],
      [['cls-csv', 'tab-no-header', '202401151005_000_6000.csv'], { compression: 'none', encoding: 'csv', csv: { separator: '\t', header: false } }],
    ];
    for (const [parts, want] of cases) assert.deepEqual(await detectFile(join(FIXTURES, ...parts)), want, parts.at(-1));
  });

  it('a missing file is a DecodeError naming it', async () => {
    const path = join(dir, 'nope.log.gz');
    await assert.rejects(async () => {
      for await (const c of decodeFile(path)) void c;
    }, (e: unknown) => e instanceof DecodeError && e.message === `${path}: no such file`);
  });
});
