// Worker threads for `flowlog query` and `flowlog diagnose` over a big input, started first thing. A worker boots Node and loads
// dist/worker.js (about 0.1 s of a core, more when the machine is busy): started here, that overlaps the loading of
// the CLI's own bundle, the parsing and the planning instead of following them. cli.ts imports this module first, so
// it runs before the rest of the bundle is evaluated (esbuild keeps the order of imports); it imports nothing heavy.
// It only guesses whether the engine will use its threads (query/run.ts, diagnose/parallel.ts decide): a wrong guess costs idle threads
// (which do not keep the process alive), never an answer.
import { statSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { DIAGNOSE_PARALLEL_MIN_BYTES, defaultThreadCount, diagnoseThreadCount, prestartWorkers } from '../core/threads/pool';
import { holdForStartup } from '../core/threads/youngGeneration';
// The size from which the engine splits a file across threads; several files or a folder are read on them too.
import { minSplitBytes } from '../core/envSettings';

/** Options of `flowlog query` whose value is the next argument (cli/query.ts, cli/inputs.ts). */
const VALUED = new Set(['--format', '--limit', '--memory-budget', '--format-hint', '--csv-separator', '--csv-fields']);

/**
 * Whether input `paths` is read on worker threads: several files (a folder, a glob, more than one path), one file of
 * `minBytes` or more, or not at all (no path, standard input, a small or missing file).
 */
function threadedInput(paths: readonly string[], minBytes: number): 'files' | 'file' | undefined {
  if (paths.length === 0 || paths.includes('-')) return undefined;
  if (paths.length > 1) return 'files';
  try {
    const s = statSync(paths[0]);
    return s.isDirectory() ? 'files' : s.isFile() && s.size >= minBytes ? 'file' : undefined;
  } catch {
    return /[*?[\]{}]/.test(paths[0]) ? 'files' : undefined; // a glob
  }
}

/**
 * How `flowlog ARGV` is a query the engine will likely run on its worker threads: over several files (a folder, a
 * glob, more than one path), over one big file, or not at all.
 */
export function threadedQueryInput(argv: readonly string[]): 'files' | 'file' | undefined {
  if (argv[0] !== 'query' || defaultThreadCount() < 2) return undefined;
  const positional: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--clickhouse') || a === '-h' || a === '--help') return undefined;
    if (a.startsWith('--')) {
      if (VALUED.has(a)) i++;
    } else positional.push(a);
  }
  return threadedInput(positional.slice(0, -1), minSplitBytes()); // the last one is the query
}

/** Options of `flowlog diagnose` whose value is the next argument when not written `--name=value` (cli/diagnose.ts). */
const DIAGNOSE_VALUED = new Set(['--format', '--list', '--limit', '--slack', '--lateness', '--max-open', '--scan-window', '--port-scan', '--address-scan', '--scan-rejected', '--brute-window', '--brute-force', '--brute-ports', '--gap', '--query']);

/**
 * Reader threads `flowlog ARGV` will likely want as a diagnosis (diagnose/parallel.ts readerThreads: all threads but
 * the one that joins, for a folder, several files or one file of DIAGNOSE_PARALLEL_MIN_BYTES or more), or 0.
 */
export function diagnoseReaderThreads(argv: readonly string[]): number {
  if (argv[0] !== 'diagnose') return 0;
  const threads = diagnoseThreadCount();
  if (threads < 2) return 0;
  const paths: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 0;
    if (!a.startsWith('--')) paths.push(a);
    else if (!a.includes('=') && DIAGNOSE_VALUED.has(a)) i++;
  }
  return threadedInput(paths, DIAGNOSE_PARALLEL_MIN_BYTES) ? threads - 1 : 0;
}

/** Whether `flowlog ARGV` is a query the engine will likely run on its worker threads. */
export function queryWantsThreads(argv: readonly string[]): boolean {
  return threadedQueryInput(argv) !== undefined;
}

/**
 * Whether `flowlog query`'s own thread scans as one of the query's threads (QueryOptions.scanHere): it has nothing
 * else to do meanwhile, and one worker fewer boots. FLOWLOG_SCAN_HERE=0: workers only, for comparisons.
 */
export function cliScansHere(): boolean {
  return process.env.FLOWLOG_SCAN_HERE !== '0';
}

/**
 * Starts the workers the query's pool will take (threads/pool.ts prestartWorkers) when this process is the CLI
 * running such a query: one fewer than its threads when it scans here too. Over several files this thread will scan
 * beside them: its young generation is held from now on, before loading the bundle grows it
 * (threads/youngGeneration.ts; 8 MB at the first unit otherwise, against 4). Not for one file, which may be read
 * here alone (Parquet, whose decoder wants a bigger young generation: query/run.ts).
 */
export function prestartQueryThreads(argv: readonly string[]): void {
  if (!isMainThread) return;
  const readers = diagnoseReaderThreads(argv);
  if (readers > 0) {
    prestartWorkers(readers);
    return;
  }
  const input = threadedQueryInput(argv);
  if (input === undefined) return;
  if (input === 'files' && cliScansHere()) holdForStartup();
  prestartWorkers(defaultThreadCount() - (cliScansHere() ? 1 : 0));
}

// Run as the CLI (in dist/cli.js, `module` is the bundle's own): before the modules imported after this one.
if (require.main === module) prestartQueryThreads(process.argv.slice(2));
