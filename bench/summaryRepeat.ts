// The summary's plans on one thread, N times in one process: min and mean CPU seconds, a steadier figure than a
// whole process on a busy machine. Usage: node --import tsx bench/summaryRepeat.ts FILE [N].
import { runPlans, planQuery } from '../server/src/core/query';
import { SUMMARY_QUERIES } from '../server/src/core/summaryTypes';

async function main(file: string, n: number): Promise<void> {
  const plans = Object.values(SUMMARY_QUERIES).map((q) => planQuery(q));
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    await runPlans({ kind: 'files', paths: [file] }, plans, { limit: 1_000_000, threads: 1 });
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  console.log(`min ${Math.min(...cpu).toFixed(2)} mean ${(cpu.reduce((a, b) => a + b) / n).toFixed(2)} all ${cpu.map((x) => x.toFixed(2)).join(' ')}`);
}
void main(process.argv[2], Number(process.argv[3] ?? 3));
