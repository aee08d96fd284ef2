// Section `validation`: the language server's in-memory path. Throughput of validating a whole document, and
// revalidation after one-line edits, on 50 MB and 5 MB documents (issue 2's goals).
import { FlowLogDocument } from '../server/src/core/document';
import { generateLines } from '../test/support/generate';
import { BenchContext } from './context';
import { fmt, mb } from './measure';

export function validationSection(ctx: BenchContext): void {
  ctx.report.section('validation (in memory, the language server\'s path)', 'validation');
  const sizes = ctx.quick ? [5, 1] : [50, 5];
  const out: Record<string, unknown> = {};
  for (const targetMB of sizes) {
    const lines: string[] = [];
    let bytes = 0;
    for (const line of generateLines({ records: Number.MAX_SAFE_INTEGER, seed: 3, badShare: 0.001 })) {
      lines.push(line);
      bytes += line.length + 1;
      if (bytes >= targetMB << 20) break;
    }
    const text = lines.join('\n');
    lines.length = 0;
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const doc = new FlowLogDocument(text);
    const ms = performance.now() - t0;
    const stats = doc.getStats();
    const rssAfter = process.memoryUsage().rss;
    // One-line edits spread over the document: replace a port, then put it back.
    const timings: number[] = [];
    const n = doc.lineCount;
    for (let i = 0; i < 200; i++) {
      const line = Math.floor(((i * 7919) % 1000) / 1000 * (n - 1));
      const text = doc.lineText(line);
      const at = text.indexOf(' 6 ');
      const col = at > 0 ? at + 1 : 0;
      const s = performance.now();
      doc.applyEdit({ startLine: line, startCharacter: col, endLine: line, endCharacter: col + 1 }, '999');
      doc.problems();
      timings.push(performance.now() - s);
      doc.applyEdit({ startLine: line, startCharacter: col, endLine: line, endCharacter: col + 3 }, text.slice(col, col + 1));
    }
    timings.sort((a, b) => a - b);
    const median = timings[timings.length >> 1];
    const p95 = timings[Math.floor(timings.length * 0.95)];
    const mbPerSec = mb(text.length) / (ms / 1000);
    ctx.report.goal(`${targetMB} MB document, ${stats.records.toLocaleString('en-US')} records: full validation ${fmt(ms, 0)} ms = ${fmt(mbPerSec)} MB/s, ${fmt(stats.records / (ms / 1000) / 1e6, 2)} M lines/s`, '≥ 150 MB/s', mbPerSec >= 150);
    ctx.report.goal(`${targetMB} MB document, one-line edit + revalidation: median ${fmt(median, 3)} ms, p95 ${fmt(p95, 3)} ms`, 'p95 ≤ 5 ms', p95 <= 5, 4);
    ctx.report.info(`memory: +${fmt(mb(rssAfter - rssBefore), 0)} MB RSS for the document state (text ${fmt(mb(text.length), 0)} MB)`, 4);
    out[`${targetMB}MB`] = { validateMs: ms, mbPerSec, editMedianMs: median, editP95Ms: p95 };
  }
  ctx.results.validation = out;
}
