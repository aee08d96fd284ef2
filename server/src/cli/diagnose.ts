// `flowlog diagnose FILE|FOLDER... [--format text|json] [--slack SECONDS] ...`: conversations with verdicts (broken
// ones first), scans, brute force and capture coverage, from the connectivity diagnosis in the core.
import { terminalText } from '../core/terminalText';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnoseOptions, DiagnoseResult, VERDICTS, Verdict, diagnose } from '../core/diagnose';
import type { DiagnosedConversation, InterfaceCoverage } from '../core/diagnose';
import { formatCount } from '../core/decode/counts';
import { formatDuration, formatWindow } from '../core/decode/time';
import { CliIO, UsageError } from './io';
import { runDiagnoseQuery } from './diagnoseQuery';

const USAGE = `usage: flowlog diagnose FILE|FOLDER... [options]
  --format text|json       text (default) or one JSON object
  --list VERDICT,...|all   verdicts to list (default every broken one: response-rejected,request-rejected,no-response,one-way)
  --limit N                conversations listed per verdict (default 20)
  --slack SECONDS          records of one conversation at most this far apart (default 600)
  --lateness SECONDS       how far a record may start before records of its interface already read (default 600)
  --max-open N             open conversations in memory before spilling to disk (default 150000)
  --scan-window SECONDS    scan window (default 300)       --port-scan N      ports on one host (default 15)
  --address-scan N         hosts on one port (default 25)  --scan-rejected S  share rejected, 0..1 (default 0.5)
  --brute-window SECONDS   brute-force window (default 1800)
  --brute-force N          connections to one port of one host (default 30)
  --brute-ports P,...      ports watched for brute force (default 22,23,21,3389,5900,5985,5986,3306,5432,1433,1521,6379,27017,445)
  --gap SECONDS            time without any record that is a coverage gap (default 600)
  --query 'QUERY'          the query language over the conversations, one row each (README: "Conversations as
                           rows"); then --format table|json|csv, and --limit N caps the rows of a query without LIMIT`;

const VERDICT_PATTERN: Record<Verdict, string> = {
  'response-rejected': 'request accepted, reply rejected',
  'request-rejected': 'request rejected',
  'no-response': 'request accepted, nothing came back',
  'one-way': 'one direction only, cannot tell',
  ok: 'both directions accepted',
};

/** Every regular file of a folder, recursively, in path order (delivered files are named by time). */
function filesOf(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw new Error('not a file or folder');
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.')) continue;
    const full = join(path, name);
    const s = statSync(full);
    if (s.isDirectory()) out.push(...filesOf(full));
    else if (s.isFile()) out.push(full);
  }
  return out;
}

function number(name: string, v: string | undefined, min: number, max = Infinity): number {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${name} takes a number${max < Infinity ? ` from ${min} to ${max}` : ` ≥ ${min}`}, not ${v ?? 'nothing'}\n${USAGE}`);
  return n;
}

export function parseDiagnoseArgs(argv: string[]): { paths: string[]; format: 'text' | 'json' | 'table' | 'csv'; options: DiagnoseOptions; query?: string } {
  let format: 'text' | 'json' | 'table' | 'csv' = 'text';
  let query: string | undefined;
  const options: DiagnoseOptions = {};
  const scan: NonNullable<DiagnoseOptions['scan']> = {};
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      paths.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const value = () => (eq >= 0 ? a.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'table' && v !== 'csv') throw new UsageError(`--format must be text or json (with --query: table, json or csv), not ${v ?? 'nothing'}\n${USAGE}`);
        format = v;
        break;
      }
      case '--list': {
        const v = value() ?? '';
        const list = v === 'all' ? [...VERDICTS] : v.split(',').map((x) => x.trim()).filter(Boolean);
        for (const x of list) if (!(VERDICTS as readonly string[]).includes(x)) throw new UsageError(`unknown verdict ${x}: ${VERDICTS.join(', ')} or all\n${USAGE}`);
        options.list = list as Verdict[];
        break;
      }
      case '--limit': options.limit = Math.floor(number('--limit', value(), 0)); break;
      case '--slack': options.slack = number('--slack', value(), 0); break;
      case '--lateness': options.lateness = number('--lateness', value(), 0); break;
      case '--max-open': options.maxOpen = Math.floor(number('--max-open', value(), 1000)); break;
      case '--scan-window': scan.scanWindow = number('--scan-window', value(), 1); break;
      case '--port-scan': scan.portScanThreshold = number('--port-scan', value(), 1); break;
      case '--address-scan': scan.addressScanThreshold = number('--address-scan', value(), 1); break;
      case '--scan-rejected': scan.scanMinRejectedShare = number('--scan-rejected', value(), 0, 1); break;
      case '--brute-window': scan.bruteForceWindow = number('--brute-window', value(), 1); break;
      case '--brute-force': scan.bruteForceThreshold = number('--brute-force', value(), 1); break;
      case '--brute-ports': {
        const v = value() ?? '';
        scan.bruteForcePorts = v.split(',').map((p) => number('--brute-ports', p, 0, 65535));
        break;
      }
      case '--gap': options.coverageMinGap = number('--gap', value(), 1); break;
      case '--query': {
        query = value();
        if (query === undefined) throw new UsageError(`--query takes a query\n${USAGE}`);
        break;
      }
      case '--help': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (Object.keys(scan).length > 0) options.scan = scan;
  if (query === undefined && (format === 'table' || format === 'csv')) throw new UsageError(`--format ${format} is for --query; the diagnosis is text or json\n${USAGE}`);
  return { paths, format, options, query };
}

export async function runDiagnoseCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  const { paths, format, options, query } = parseDiagnoseArgs(argv);
  if (paths.length === 0) throw new UsageError(`give at least one file or folder\n${USAGE}`);
  const files: string[] = [];
  for (const p of paths) {
    try {
      files.push(...filesOf(p));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.stderr(`flowlog: cannot read ${terminalText(p)}: ${code === 'ENOENT' ? 'no such file or folder' : code ?? (e as Error).message}\n`);
      return 2;
    }
  }
  if (files.length === 0) {
    io.stderr(`flowlog: no files in ${paths.map(terminalText).join(', ')}\n`);
    return 2;
  }
  if (query !== undefined) {
    const { limit, ...diagnoseOptions } = options;
    return runDiagnoseQuery({ kind: 'files', paths: files }, query, format === 'text' ? 'table' : format === 'json' ? 'json' : format, limit, diagnoseOptions, io);
  }
  const result = await diagnose({ kind: 'files', paths: files }, options);
  if (format === 'json') writeJson(toJson(result), io.stdout);
  else io.stdout(toText(result));
  return 0;
}

/**
 * Writes `value` and a line break as JSON.stringify would (the same text), its top-level arrays an element at a time:
 * the coverage of a long capture is megabytes, and one string of the whole object costs several times its size.
 */
function writeJson(value: object, write: (s: string) => void): void {
  let sep = '{';
  for (const [key, v] of Object.entries(value)) {
    const text = Array.isArray(v) ? '' : JSON.stringify(v);
    if (text === undefined) continue;
    write(`${sep}${JSON.stringify(key)}:`);
    sep = ',';
    if (!Array.isArray(v)) write(text);
    else {
      write('[');
      for (let i = 0; i < v.length; i++) write((i > 0 ? ',' : '') + (JSON.stringify(v[i]) ?? 'null'));
      write(']');
    }
  }
  write(sep === '{' ? '{}\n' : '}\n');
}

/** The JSON object (README: "Connectivity diagnosis"): the result, with the options as resolved. */
export function toJson(r: DiagnoseResult): object {
  return {
    files: r.files,
    options: r.options,
    records: r.input,
    verdicts: r.verdicts,
    conversations: r.conversations,
    scans: r.scans,
    bruteForce: r.bruteForce,
    coverage: r.coverage,
    warnings: r.warnings,
    stats: { ...r.join, scanAttempts: r.scanStats.attempts, scanUntracked: r.scanStats.untracked, scanLateRecords: r.scanStats.lateRecords, elapsedMs: r.elapsedMs },
  };
}

const n = formatCount;
const window = (a: number, b: number) => formatWindow(a, b, 'utc');

function conversationText(c: DiagnosedConversation, k: number): string[] {
  const noPorts = c.protocol === 1 || c.protocol === 58;
  const end = (addr: string, port: number) => (noPorts ? addr : `${addr.includes(':') ? `[${addr}]` : addr}:${port}`);
  const head = `  ${k}. ${c.interfaceId} · ${c.protocolName} · ${end(c.client.address, c.client.port)} → ${end(c.server.address, c.server.port)} · ${window(c.start, c.end)} · ${n(c.request.records)} request / ${n(c.reply.records)} reply record${c.request.records + c.reply.records === 1 ? '' : 's'}`;
  const lines = [head, `     ${c.reading.summary}`];
  if (c.reading.fix) lines.push(`     Fix: ${c.reading.fix}.`);
  lines.push(`     Evidence: ${c.reading.evidence}`);
  return lines;
}

function coverageText(c: InterfaceCoverage): string[] {
  const span = c.last - c.first;
  const pct = span > 0 ? ` (${Math.round((1000 * c.coveredSeconds) / span) / 10}% covered)` : '';
  const parts = [`${n(c.records)} records`, c.nodataRecords ? `${n(c.nodataRecords)} NODATA` : 'no NODATA', c.skipdataRecords ? `${n(c.skipdataRecords)} SKIPDATA` : 'no SKIPDATA', c.gaps.length ? `${n(c.gaps.length)} gap${c.gaps.length === 1 ? '' : 's'}` : 'no gaps'];
  const lines = [`  ${c.interfaceId}  ${window(c.first, c.last)}${pct} · ${parts.join(' · ')}`];
  const shown = c.timeline.filter((s) => s.state !== 'traffic');
  for (const s of shown.slice(0, 10)) lines.push(`     ${s.state.padEnd(8)} ${window(s.from, s.to)} (${formatDuration(s.to - s.from)})`);
  if (shown.length > 10) lines.push(`     … ${n(shown.length - 10)} more NODATA, SKIPDATA and gap spans (--format json has them all)`);
  return lines;
}

export function toText(r: DiagnoseResult): string {
  const total = VERDICTS.reduce((s, v) => s + r.verdicts[v], 0);
  const out: string[] = [];
  const plural = (x: number, one: string) => `${n(x)} ${one}${x === 1 ? '' : 's'}`;
  out.push(`Diagnosis of ${plural(r.files.length, 'file')}: ${plural(r.input.records, 'record')}, ${plural(total, 'conversation')}, ${(r.elapsedMs / 1000).toFixed(1)} s`);
  for (const w of r.warnings) out.push(`  ! ${w}`);
  out.push('', 'Conversations by verdict');
  for (const v of VERDICTS) out.push(`  ${v.padEnd(18)} ${n(r.verdicts[v]).padStart(10)}  ${VERDICT_PATTERN[v]}`);
  for (const v of VERDICTS) {
    const listed = r.conversations.filter((c) => c.verdict === v);
    if (!r.options.list.includes(v) || r.verdicts[v] === 0) continue;
    out.push('', `${v}: ${n(r.verdicts[v])}${listed.length < r.verdicts[v] ? ` (the ${n(listed.length)} with the most records shown; --limit N for more)` : ''}`);
    listed.forEach((c, k) => out.push(...conversationText(c, k + 1)));
  }
  if (!r.options.list.includes('ok') && r.verdicts.ok > 0) out.push('', `ok: ${n(r.verdicts.ok)} (--list ok to show them)`);
  const s = r.options.scan;
  out.push('', `Scans: ${r.scans.length ? n(r.scans.length) : 'none'} (≥ ${s.portScanThreshold} ports on one host or ≥ ${s.addressScanThreshold} hosts on one port in ${formatDuration(s.scanWindow)}, ≥ ${Math.round(s.scanMinRejectedShare * 100)}% rejected)`);
  for (const f of r.scans.slice(0, 50)) {
    const what = f.kind === 'port-scan'
      ? `${n(f.distinct)} ports on ${f.host} (${f.protocolName}${f.samplePorts.length ? `: ${f.samplePorts.join(', ')}${f.distinct > f.samplePorts.length ? ', …' : ''}` : ''})`
      : `${n(f.distinct)} hosts on ${f.port === null ? f.protocolName : `port ${f.port}/${f.protocolName}`}`;
    out.push(`  ${f.kind} from ${f.source}: ${what} · ${n(f.attempts)} attempts, ${n(f.rejected)} rejected · ${window(f.start, f.end)} · first ${f.evidence.file}:${f.evidence.line}`);
  }
  if (r.scans.length > 50) out.push(`  … ${n(r.scans.length - 50)} more (--format json has them all)`);
  out.push('', `Brute force: ${r.bruteForce.length ? n(r.bruteForce.length) : 'none'} (≥ ${s.bruteForceThreshold} connections to one login or database port of one host in ${formatDuration(s.bruteForceWindow)})`);
  for (const f of r.bruteForce.slice(0, 50)) {
    out.push(`  ${f.source} → ${f.host}:${f.port}${f.service ? ` (${f.service})` : ''}: ${n(f.connections)} connections (peak ${n(f.peak)} in one window), ${n(f.accepted)} accepted, ${n(f.rejected)} rejected · ${window(f.start, f.end)} · first ${f.evidence.file}:${f.evidence.line}`);
  }
  if (r.bruteForce.length > 50) out.push(`  … ${n(r.bruteForce.length - 50)} more (--format json has them all)`);
  out.push('', `Coverage (${n(r.coverage.length)} interface${r.coverage.length === 1 ? '' : 's'}; a gap is ${formatDuration(r.options.coverageMinGap)} or more without any record)`);
  // Interfaces with something to see (gaps first, then SKIPDATA and NODATA); the fully covered ones are counted, unless
  // there are only a few of them and nothing else.
  const notable = r.coverage.filter((c) => c.gaps.length + c.nodata.length + c.skipdata.length > 0);
  notable.sort((a, b) => b.gaps.length - a.gaps.length || b.skipdata.length - a.skipdata.length || b.nodata.length - a.nodata.length);
  if (notable.length === 0 && r.coverage.length <= 20) for (const c of r.coverage) out.push(...coverageText(c));
  else {
    for (const c of notable.slice(0, 50)) out.push(...coverageText(c));
    if (notable.length > 50) out.push(`  … ${n(notable.length - 50)} more interfaces with gaps, NODATA or SKIPDATA (--format json has them all)`);
    const rest = r.coverage.length - notable.length;
    if (rest > 0) out.push(`  ${n(rest)} more interface${rest === 1 ? '' : 's'} covered without gaps, NODATA or SKIPDATA`);
  }
  return out.map(terminalText).join('\n') + '\n';
}
