// JSON and CSV records (Tencent CLS shipments, CloudWatch exports) validated field by field like text records:
// the same codes, each problem on the JSON value or CSV cell that is wrong. Fixture lines mark the span under test
// with ⟦…⟧ (JSON and CSV use every ASCII bracket and bar themselves); the markers are removed and the problem must
// cover exactly that span.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlowLogDocument } from '../../server/src/core/document';
import { RecordLine } from '../../server/src/core/recordLine';
import { canonicalText, detectShape, remapLineColumn } from '../../server/src/core/documentShape';
import { decodeFile } from '../../server/src/core/readers';
import { LineKind } from '../../server/src/core/scan';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const FIXTURES = join(__dirname, '../fixtures/deliveries');

/** A CLS JSON line with `over` replacing keys' raw JSON values (`{ dstport: '65536' }`), metadata keys around. */
function clsJson(over: Record<string, string> = {}, extra = ''): string {
  const values: Record<string, string> = {
    version: '2', account_id: '"123456789010"', interface_id: '"eni-00fb8673"', srcaddr: '"10.0.5.4"', dstaddr: '"172.31.11.180"',
    srcport: '443', dstport: '35492', protocol: '6', packets: '63', bytes: '73080', start: '1705312862', end: '1705312922',
    action: '"REJECT"', log_status: '"OK"', ...over,
  };
  const body = Object.entries(values).map(([k, v]) => `"${k}":${v}`).join(',');
  return `{"__TIMESTAMP__":1705312931000,"__SOURCE__":"10.0.1.17",${body}${extra},"__HOSTNAME__":"collector-0"}`;
}

const CSV_HEADER = 'version,account-id,interface-id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log-status';
const CSV_ROW = '2,123456789010,eni-00fb8673,10.0.5.4,172.31.11.180,443,35492,6,63,73080,1705312862,1705312922,REJECT,OK';

interface Marked {
  text: string;
  start: number;
  end: number;
}

function marked(line: string): Marked {
  const start = line.indexOf('⟦');
  const end = line.indexOf('⟧') - 1;
  assert.ok(start >= 0 && end >= start, `no ⟦marker⟧ in ${line}`);
  return { text: line.replace('⟦', '').replace('⟧', ''), start, end };
}

/** The document of `lines` (the last one marked) has exactly one problem `code` on the last line, on the mark. */
function expectProblem(code: string, lines: string[], options: { name?: string; message?: string } = {}) {
  const last = marked(lines[lines.length - 1]);
  const text = [...lines.slice(0, -1), last.text].join('\n');
  const all = new FlowLogDocument(text, { name: options.name }).problems().problems;
  const found = all.filter((p) => p.code === code);
  assert.equal(found.length, 1, `expected one ${code} in ${JSON.stringify(last.text)}, got ${JSON.stringify(all)}`);
  const p = found[0];
  assert.equal(p.line, lines.length - 1);
  assert.deepEqual([p.start, p.end], [last.start, last.end], `range of ${code} (${p.message}): ${JSON.stringify(last.text.slice(p.start, p.end))}`);
  if (options.message) assert.ok(p.message.includes(options.message), `message "${p.message}" lacks "${options.message}"`);
  return { problem: p, text: last.text, all };
}

function clean(text: string, name?: string) {
  const doc = new FlowLogDocument(text, { name });
  assert.deepEqual(doc.problems().problems, [], text);
  return doc;
}

describe('JSON records (CLS shipments)', () => {
  it('a CLS line is read by its values: metadata keys left out, keys bound by their names, no problem', () => {
    const doc = clean([clsJson(), clsJson({ action: '"ACCEPT"' })].join('\n'));
    assert.equal(doc.shape.encoding, 'json');
    assert.deepEqual(doc.getStats(), { records: 2, rejects: 1, problems: 0, errors: 0, headers: 0 });
    const { record, format } = doc.recordAt(0);
    assert.equal(record.text, '2 123456789010 eni-00fb8673 10.0.5.4 172.31.11.180 443 35492 6 63 73080 1705312862 1705312922 REJECT OK');
    assert.equal(format.names.join(' '), 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status');
  });

  it('a number out of range: the error on the JSON value', () => {
    expectProblem('port-range', [clsJson(), clsJson({ dstport: '⟦65536⟧' })], { message: 'dstport 65536 is out of range 0–65535' });
  });

  it('a string value: the error inside its quotes, and the quick fix edits it there', () => {
    const { problem, text } = expectProblem('action', [clsJson({ action: '"⟦accept⟧"' })], { message: 'must be written ACCEPT' });
    const edit = problem.fix!.edits[0];
    assert.equal(text.slice(0, edit.start) + edit.newText + text.slice(edit.end), clsJson({ action: '"ACCEPT"' }));
  });

  it('null and "" are `-`: missing-value on the token', () => {
    expectProblem('missing-value', [clsJson({ srcaddr: '⟦null⟧' })]);
    expectProblem('missing-value', [clsJson({ srcaddr: '⟦""⟧' })]);
  });

  it('25238.0 is the integer 25238 (as the readers read it); 1.5 is not a count', () => {
    clean(clsJson({ bytes: '73080.0', packets: '63.00' }));
    expectProblem('count', [clsJson({ bytes: '⟦1.5⟧' })], { message: 'bytes 1.5 is not a non-negative integer' });
  });

  it('an address that is not one, after non-ASCII text: columns count UTF-16 code units', () => {
    expectProblem('address', [clsJson({ account_id: '"123456789010"', srcaddr: '"⟦10.0.0.300⟧"' }, ',"note":"東京🙂"')]);
    expectProblem('port-range', [clsJson({}, ',"note":"東京🙂","x":"y"').replace('"dstport":35492', '"dstport":⟦70000⟧')]);
  });

  it('start after end spans from the start value to the end value', () => {
    expectProblem('start-after-end', [clsJson({ start: '⟦1705312962', end: '1705312922⟧' })]);
  });

  it('an escaped string is decoded: valid when its value is; else the problem covers the whole value', () => {
    clean(clsJson({ action: '"REJ\\u0045CT"' }));
    expectProblem('action', [clsJson({ action: '"⟦acc\\u0065pt⟧"' })], { message: 'action accept must be written ACCEPT' });
  });

  it('an unknown key is a header-unknown-field on the key, with a did-you-mean fix', () => {
    const line = clsJson().replace('"srcaddr"', '"⟦srcadr⟧"');
    const { problem, text } = expectProblem('header-unknown-field', [line], { message: 'did you mean srcaddr?' });
    const edit = problem.fix!.edits[0];
    assert.equal(text.slice(0, edit.start) + edit.newText + text.slice(edit.end), clsJson());
  });

  it('lines the readers cannot make a record of are json-record, where they go wrong', () => {
    const good = clsJson();
    expectProblem('json-record', [good, `{"version":2,"srcaddr":⟦{"ip":"10.0.0.1"}⟧}`], { message: 'object or array' });
    expectProblem('json-record', [good, '⟦[1, 2, 3]⟧'], { message: 'an array, not a flat JSON object' });
    expectProblem('json-record', [good, '⟦"just a string"⟧'], { message: 'a string' });
    expectProblem('json-record', [good, clsJson({ interface_id: '"⟦eni 00fb8673⟧"' })], { message: 'space or control character' });
    expectProblem('json-record', [good, '{"__TIMESTAMP__":1,"__SOURCE__":"x"}'.replace('{', '⟦{').replace(/}$/, '}⟧')], { message: 'only CLS metadata' });
    // Cut short: JSON.parse names no position, so the end of the line.
    assert.match(expectProblem('json-record', [good, '{"version": 2, "srcaddr":⟦ ⟧']).problem.message, /^not valid JSON/);
    // A syntax error JSON.parse places: from there.
    expectProblem('json-record', [good, '{"version": 2, "srcaddr" ⟦5}⟧'], { message: 'not valid JSON' });
  });

  it('a {"message": …} wrapper holds a text record: problems on its fields inside the string', () => {
    expectProblem('port-range', ['{"message":"2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 ⟦65536⟧ 6 1 40 1705312862 1705312922 ACCEPT OK"}']);
    expectProblem('action', ['{"message":"2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 22 6 1 40 1705312862 1705312922 ⟦allow⟧ OK"}']);
  });

  it('another line in a JSON file that is no JSON object is an error, never a record read wrongly', () => {
    const doc = new FlowLogDocument([clsJson(), CSV_ROW.replace(/,/g, ' ')].join('\n'));
    assert.deepEqual(doc.problems().problems.map((p) => [p.line, p.code]), [[1, 'json-record']]);
  });
});

describe('CSV records (CLS shipments)', () => {
  it('a header row binds the cells; a record is clean, quoted or not', () => {
    const doc = clean([CSV_HEADER, CSV_ROW, CSV_ROW.split(',').map((c) => `"${c}"`).join(',')].join('\n'));
    assert.deepEqual(doc.shape, { encoding: 'csv', separator: ',', quote: '"' });
    assert.deepEqual(doc.getStats(), { records: 2, rejects: 2, problems: 0, errors: 0, headers: 1 });
    assert.equal(doc.headerText(), CSV_HEADER.replace(/,/g, ' '));
  });

  it('a wrong cell: the error on the cell', () => {
    expectProblem('port-range', [CSV_HEADER, CSV_ROW.replace(',35492,', ',⟦65536⟧,')]);
    expectProblem('address', [CSV_HEADER, CSV_ROW.replace(',10.0.5.4,', ', ⟦10.0.5⟧ ,')]);
  });

  it('a quoted cell: the error inside the quotes, and the quick fix edits it there', () => {
    const { problem, text } = expectProblem('action', [CSV_HEADER, CSV_ROW.replace(',REJECT,', ',"⟦reject⟧",')]);
    const edit = problem.fix!.edits[0];
    assert.equal(text.slice(0, edit.start) + edit.newText + text.slice(edit.end), CSV_ROW.replace(',REJECT,', ',"REJECT",'));
  });

  it('an empty cell is `-`: missing-value on its separator', () => {
    expectProblem('missing-value', [CSV_HEADER, CSV_ROW.replace(',10.0.5.4,', ',⟦,⟧')]);
  });

  it('rows the readers cannot read are csv-record, at the quote left open or the value', () => {
    // Detection reads the first lines: most rows agree on the separator (or the name says .csv).
    expectProblem('csv-record', [CSV_HEADER, CSV_ROW, CSV_ROW, CSV_ROW, CSV_ROW, `2,${'⟦"123456789010,eni-00fb8673,10.0.5.4⟧'}`], { message: 'column 2: unterminated quote' });
    expectProblem('csv-record', [CSV_HEADER, `2,${'⟦"123456789010,eni-00fb8673,10.0.5.4⟧'}`], { name: 'flows.csv' });
    expectProblem('csv-record', [CSV_HEADER, CSV_ROW.replace(',eni-00fb8673,', ',"⟦eni 00fb8673⟧",')], { message: 'space or control character' });
  });

  it('the fixture with an unterminated quote: one csv-record on its line, the rows around it clean', () => {
    const text = readFileSync(join(FIXTURES, 'bad/unterminated.csv'), 'utf8');
    const doc = new FlowLogDocument(text, { name: 'unterminated.csv' });
    assert.deepEqual(doc.problems().problems.map((p) => [p.line, p.code]), [[2, 'csv-record']]);
  });

  it('tab-separated rows without a header row: the default format, field-count on the cells', () => {
    const row = CSV_ROW.replace(/,/g, '\t');
    clean([row, row].join('\n'));
    expectProblem('field-count', [row, row, row, row, row, `⟦${row.split('\t').slice(0, 13).join('\t')}⟧`]);
  });

  it('a header cell that names no field: header-unknown-field on the cell', () => {
    expectProblem('header-unknown-field', [CSV_HEADER.replace('srcaddr', '⟦srcadr⟧')]);
  });

  it('`|`-separated rows whose header spells fields in snake_case bind as written', () => {
    const header = CSV_HEADER.replace(/-/g, '_').replace(/,/g, '|');
    clean([header, CSV_ROW.replace(/,/g, '|')].join('\n'));
    expectProblem('log-status', [header, CSV_ROW.replace(/,/g, '|').replace('|OK', '|⟦ok⟧')]);
  });
});

describe('CloudWatch exports', () => {
  it('the ISO time before each record is not a field: problems on the record\'s own fields', () => {
    const line = '2024-01-15T10:01:02.000Z 2 123456789010 eni-0a1b2c3d 10.0.0.1 10.0.0.2 443 22 6 1 40 1705312862 1705312922 ACCEPT OK';
    const doc = clean([line, line].join('\n'));
    assert.equal(doc.shape.encoding, 'cloudwatch');
    expectProblem('port-range', [line, line.replace(' 22 6 ', ' ⟦99999⟧ 6 ')]);
  });
});

describe('RecordLine positions', () => {
  it('maps a source column to its field, key or value, and hints go after the closing quote', () => {
    const line = '{"srcaddr":"10.0.0.1","dstport":22}';
    const r = new RecordLine();
    assert.equal(r.read(line, { encoding: 'json' }), LineKind.Record);
    assert.equal(r.fieldAtColumn(line.indexOf('10.0')), 0);
    assert.equal(r.fieldAtColumn(line.indexOf('dstport')), 1);
    assert.equal(r.fieldAtColumn(line.indexOf('22')), 1);
    assert.equal(r.afterValue(0), line.indexOf('",') + 1);
    assert.deepEqual(r.valueRange(1), [line.indexOf('22'), line.indexOf('22') + 2]);
  });
});

describe('documents as the engine reads them', () => {
  it('shape: by content first, then by name', () => {
    assert.equal(detectShape(clsJson()).encoding, 'json');
    assert.equal(detectShape(`${CSV_HEADER}\n${CSV_ROW}`).encoding, 'csv');
    assert.equal(detectShape('2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK').encoding, 'text');
    assert.equal(detectShape('', 'x.json').encoding, 'json');
  });

  it('an edit that makes a text document JSON reads it as JSON, as a fresh document would', () => {
    const doc = new FlowLogDocument('');
    doc.applyEdit({ startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 }, clsJson({ dstport: '70000' }));
    assert.equal(doc.shape.encoding, 'json');
    assert.deepEqual(doc.problems().problems.map((p) => p.code), ['port-range']);
  });

  it('canonical text of a JSON document equals what the readers make of the same file, with its line map', async () => {
    const file = join(FIXTURES, 'cls-json/2024/01/15/10/202401151005_000_2000.gz');
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    const fromDisk: string[] = [];
    for await (const chunk of decodeFile(file)) fromDisk.push(Buffer.from(chunk.bytes).toString('utf8'));
    const doc = new FlowLogDocument(text);
    const canonical = canonicalText(text, doc.shape);
    assert.equal(canonical.text, fromDisk.join(''));
    // A header line made of the keys first: line 0 (made up), then the document's lines 1, 2, …
    assert.equal(canonical.lines![0], 0);
    assert.deepEqual([...canonical.lines!.slice(1, 4)], [1, 2, 3]);
    assert.equal(canonical.header?.split(' ')[0], 'version');
    const rows = [['x', 2], ['y', 4]];
    remapLineColumn(['file', 'line'], rows, canonical.lines);
    assert.deepEqual(rows, [['x', 1], ['y', 3]]);
  });

  it('canonical text of a CSV document and of a CloudWatch export equals the readers\' output', async () => {
    for (const rel of ['cls-csv/comma-header-quoted/202401151005_000_5000.csv', 'cls-csv/tab-no-header/202401151005_000_6000.csv', 'cloudwatch-export/7f3c2a10-5b1e-4c8d-9a2f-0e6d4b1c3a55/eni-1c567fbb-all/000000.gz']) {
      const file = join(FIXTURES, rel);
      const raw = readFileSync(file);
      const text = (rel.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      const fromDisk: string[] = [];
      for await (const chunk of decodeFile(file)) fromDisk.push(Buffer.from(chunk.bytes).toString('utf8'));
      const doc = new FlowLogDocument(text, { name: rel });
      assert.equal(canonicalText(text, doc.shape).text, fromDisk.join(''), rel);
      assert.deepEqual(doc.problems().problems, [], rel);
    }
  });
});
