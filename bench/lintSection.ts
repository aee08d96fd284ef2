// Section `lint`: `flowlog lint` against mawk's field count on both 1 GB files, whole processes, best of runs.
// Goal (issue 14): lint faster than mawk.
import { BenchContext } from './context';
import { best, fmt } from './measure';

const MAWK_FIELD_COUNT = '{ if (NF != 14) n++ } END { print n + 0 }';

export async function lintSection(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  report.section('lint: `flowlog lint` vs mawk\'s field count, whole processes, best of runs', 'lint');
  const out: unknown[] = [];
  for (const shape of ['friendly', 'wide'] as const) {
    const set = await ctx.data.get(shape, 'big');
    const runs = ctx.runs(true);
    const lint = best('node', [ctx.cli, 'lint', set.path], runs);
    const mawk = best('mawk', [MAWK_FIELD_COUNT, set.path], runs);
    const ratio = mawk.seconds / lint.seconds;
    report.goal(`lint ${set.label}: flowlog ${fmt(lint.seconds, 2)} s (${fmt(set.sizeMB / lint.seconds, 0)} MB/s, peak ${fmt(lint.peakMB, 0)} MB), mawk ${fmt(mawk.seconds, 2)} s (${fmt(set.sizeMB / mawk.seconds, 0)} MB/s) → ${fmt(ratio, 2)}× mawk's speed`, '> 1× (faster than mawk)', ratio > 1);
    report.info(`CPU seconds (best run): flowlog ${fmt(lint.cpuSeconds, 2)} on its threads, mawk ${fmt(mawk.cpuSeconds, 2)} on one`, 4);
    out.push({ file: set.path, shape, sizeMB: set.sizeMB, lintSeconds: lint.seconds, lintCpuSeconds: lint.cpuSeconds, mawkCpuSeconds: mawk.cpuSeconds, lintAllSeconds: lint.allSeconds, lintPeakMB: lint.peakMB, mawkSeconds: mawk.seconds, mawkAllSeconds: mawk.allSeconds, mawkBadLines: Number(mawk.out.trim()), ratio });
  }
  ctx.results.lint = out;
}
