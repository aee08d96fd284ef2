// Measuring whole processes (GNU time: wall seconds and peak RSS), the figures' report lines with their goals, and
// the machine's load (the bench machine is shared: a figure means little without it).
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

export const mb = (bytes: number) => bytes / (1 << 20);
export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);

export interface Measured {
  seconds: number;
  /** CPU seconds (user + system) of the process and its threads: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  peakMB: number;
  out: string;
  err: string;
}

/** Wall time and peak RSS of a whole process (GNU time), with its output; `env` is added to this process's. */
export function measure(cmd: string, args: string[], env?: Record<string, string>): Measured {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 30, env: env ? { ...process.env, ...env } : process.env,
  });
  const lines = (r.stderr ?? '').trim().split('\n');
  const [secs, kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
  // `flowlog lint` exits 1 when it found errors; anything else is a failure of the run.
  if ((r.status !== 0 && r.status !== 1) || !Number.isFinite(secs)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-2000)}`);
  }
  return { seconds: secs, cpuSeconds: user + sys, peakMB: kb / 1024, out: r.stdout, err: lines.slice(0, -1).join('\n') };
}

/** The fastest of `runs` runs, with the highest peak seen over all of them (memory is not a matter of luck). */
export function best(cmd: string, args: string[], runs: number, env?: Record<string, string>): Measured & { allSeconds: number[] } {
  let top: Measured | undefined;
  let peak = 0;
  let cpu = Infinity;
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const m = measure(cmd, args, env);
    all.push(m.seconds);
    peak = Math.max(peak, m.peakMB);
    cpu = Math.min(cpu, m.cpuSeconds);
    if (!top || m.seconds < top.seconds) top = m;
  }
  return { ...top!, peakMB: peak, cpuSeconds: cpu, allSeconds: all };
}

export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(', ');
}

export interface GoalLine {
  section: string;
  figure: string;
  goal: string;
  /** undefined: a figure shown for reference, without a goal. */
  met?: boolean;
}

/** The report: figures printed as they come, each goal with ✓ or ✗, and all goals again at the end. */
export class Report {
  readonly goals: GoalLine[] = [];
  private current = '';

  section(title: string, key: string): void {
    this.current = key;
    console.log(`\n== ${title}   [load average ${loadAverage()}]`);
  }

  /** A figure with its goal. */
  goal(figure: string, goal: string, met: boolean, indent = 2): void {
    this.goals.push({ section: this.current, figure, goal, met });
    console.log(`${' '.repeat(indent)}${met ? '✓' : '✗'} ${figure}   (goal: ${goal})`);
  }

  /** A figure without a goal. */
  info(text: string, indent = 2): void {
    console.log(`${' '.repeat(indent)}${text}`);
  }

  /** A result that differs from its peer's: always shown, and counted as a missed goal. */
  mismatch(what: string, detail: string, indent = 2): void {
    this.goals.push({ section: this.current, figure: `${what}: results differ`, goal: 'equal results', met: false });
    console.log(`${' '.repeat(indent)}!! ${what}: results differ: ${detail}`);
  }

  recap(): void {
    const met = this.goals.filter((g) => g.met).length;
    console.log(`\n== goals: ${met} of ${this.goals.length} met`);
    for (const g of this.goals) console.log(`  ${g.met ? '✓' : '✗'} [${g.section}] ${g.figure}   (goal: ${g.goal})`);
  }
}

/** Percentiles of latencies (sorted in place). */
export function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number; samples: number } {
  values.sort((a, b) => a - b);
  const at = (p: number) => values[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99), max: values[values.length - 1] ?? NaN, samples: values.length };
}
