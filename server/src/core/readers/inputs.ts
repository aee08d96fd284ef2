// What to read: files, folders (recursively) and globs (`AWSLogs/**/*.log.gz`) expanded into one sorted list of
// files with their sizes and, where the path shows it, where they came from (an S3 delivery, a CloudWatch export,
// a CLS shipment). Inside a folder or glob, a file that is clearly not a flow log is skipped with its reason (never
// silently); a file named explicitly is always read.
import { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { detectCompression, isParquet, looksLikeFlowLogLine, looksLikeText } from './detect';

/** Where a file came from, read from its path. */
export interface DeliveryOrigin {
  kind: 'aws-s3' | 'aws-s3-hive' | 'cloudwatch-export' | 'cls-cos' | 'file';
  /** A short description for display: `AWS S3 · 123456789010 · us-east-1 · 2024-01-15 10:00Z`. */
  label: string;
  account?: string;
  region?: string;
  /** `yyyy-mm-dd` of the delivery folder. */
  date?: string;
  hour?: string;
  flowLogId?: string;
  /** `yyyymmddThhmmZ` from an S3 file name, or `yyyymmddhhmm` from a CLS one. */
  time?: string;
  interfaceId?: string;
  exportTask?: string;
  logStream?: string;
}

export interface InputFile {
  path: string;
  size: number;
  origin: DeliveryOrigin;
  /** Named by the caller (not found in a folder or by a glob). */
  explicit: boolean;
}

export interface SkippedInput {
  path: string;
  reason: string;
  /** The input names nothing readable (a missing path, a glob matching nothing, a file that cannot be opened): an error, not a choice. */
  unreadable?: true;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Files in folders or globs that are not flow logs, and inputs that could not be read (missing paths, empty globs). */
  skipped: SkippedInput[];
}

/** Names a flow log delivery may have: known extensions, no extension, or a numeric one (`.1`, `.000`). */
const FLOW_LOG_NAME = /(\.(gz|snappy|lzo|lzop|parquet|json|jsonl|ndjson|csv|tsv|log|txt|flowlog|\d+))+$|^[^.]+$/i;

const GLOB_CHARS = /[*?[\]{}]/;

export interface ExpandOptions {
  /** The folder relative paths and globs start from (default: the working folder). */
  cwd?: string;
  /**
   * Look into each file found in a folder or glob to tell whether it is a flow log (default true). False: only its
   * name is judged here, and the reader judges the content as it reads it (decodeFile's `onlyFlowLogs`): one read of
   * each file instead of two, on the threads that read them.
   */
  sniff?: boolean;
}

/** Files looked at together (stat, first bytes): a folder of thousands costs a few round trips, not thousands. */
const AT_ONCE = 32;

/** Expands files, folders and globs into the sorted list of files to read. */
export async function expandInputs(inputs: readonly string[], options: ExpandOptions = {}): Promise<ExpandedInputs> {
  const cwd = options.cwd ?? process.cwd();
  const sniff = options.sniff ?? true;
  const files = new Map<string, InputFile>();
  const skipped: SkippedInput[] = [];
  const considerAll = async (paths: string[]) => {
    let next = 0;
    const worker = async () => {
      while (next < paths.length) await consider(paths[next++], sniff, files, skipped);
    };
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, paths.length) }, worker));
  };
  for (const input of inputs) {
    const full = resolve(cwd, input);
    if (GLOB_CHARS.test(input)) {
      const matches = await expandGlob(input, cwd);
      if (matches.length === 0) skipped.push({ path: input, reason: 'the pattern matches no file', unreadable: true });
      await considerAll(matches);
      continue;
    }
    let info;
    try {
      info = await stat(full);
    } catch {
      skipped.push({ path: input, reason: 'no such file or folder', unreadable: true });
      continue;
    }
    if (info.isDirectory()) {
      await considerAll(await walk(full));
    } else {
      files.set(full, { path: full, size: info.size, origin: originOf(full), explicit: true });
    }
  }
  const list = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: list, skipped };
}

/** A file found in a folder or glob: listed, or skipped with its reason (by name, and by content when `sniff`). */
async function consider(path: string, sniff: boolean, files: Map<string, InputFile>, skipped: SkippedInput[]): Promise<void> {
  if (files.has(path)) return;
  const byName = notAFlowLogName(basename(path));
  if (byName) {
    skipped.push({ path, reason: byName });
    return;
  }
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      skipped.push({ path, reason: info.isDirectory() ? 'a link to a folder (not followed)' : 'not a regular file' });
      return;
    }
    size = info.size;
  } catch {
    skipped.push({ path, reason: 'cannot be read', unreadable: true });
    return;
  }
  let reason: string | undefined;
  try {
    reason = sniff ? await notAFlowLog(path, size) : undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    skipped.push({ path, reason: code === 'EACCES' || code === 'EPERM' ? 'permission denied' : 'cannot be read', unreadable: true });
    return;
  }
  if (reason) skipped.push({ path, reason });
  else files.set(path, { path, size, origin: originOf(path), explicit: false });
}

/** Why a file's name says it is not a flow log (hidden, or an extension no delivery has), or undefined. */
export function notAFlowLogName(name: string): string | undefined {
  if (name.startsWith('.')) return 'a hidden file';
  if (!FLOW_LOG_NAME.test(name)) return `not a flow log file name (${name.slice(name.lastIndexOf('.'))})`;
  return undefined;
}

/**
 * Why a file found in a folder is clearly not a flow log, or undefined when it may be one: a name no delivery
 * has, a hidden file, binary content with no known signature, or text whose first line is no part of a flow log.
 * An empty file may be one (a quiet interface).
 */
export async function notAFlowLog(path: string, size: number): Promise<string | undefined> {
  const name = basename(path);
  const byName = notAFlowLogName(name);
  if (byName) return byName;
  if (size === 0) return undefined;
  const handle = await open(path, 'r');
  let head: Buffer;
  let tail: Buffer;
  try {
    head = Buffer.alloc(Math.min(size, 4096));
    await handle.read(head, 0, head.length, 0);
    tail = Buffer.alloc(Math.min(size, 4));
    await handle.read(tail, 0, tail.length, size - tail.length);
  } finally {
    await handle.close();
  }
  if (isParquet(head, tail).start) return undefined;
  const compression = detectCompression(head, size, name);
  if (compression === 'gzip') {
    // The start of a gzip file's text (S3's and CloudWatch's deliveries are gzip; others are not sniffed).
    try {
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return undefined; // damaged: reading it will say so
    }
  } else if (compression !== 'none') return undefined;
  return notAFlowLogText(head, compression === 'gzip');
}

/**
 * Why the first (decompressed) bytes of a file say it is not a flow log: binary content, or a first line that is no
 * part of a flow log; undefined when they may be one.
 */
export function notAFlowLogText(head: Uint8Array, decompressed: boolean): string | undefined {
  if (head.length === 0) return undefined;
  if (!looksLikeText(head)) return 'binary content with no gzip, lzop, snappy or Parquet signature';
  let start = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  // The first non-blank line (of the first 4 KiB: enough to judge it).
  const end = Math.min(head.length, start + 4096);
  let first: string | undefined;
  while (start < end) {
    let e = start;
    while (e < end && head[e] !== 10 && head[e] !== 13) e++;
    const line = Buffer.from(head.buffer, head.byteOffset + start, e - start).toString('utf8');
    if (line.trim() !== '') {
      first = line;
      break;
    }
    start = e + 1;
  }
  if (first === undefined) return undefined;
  if (!looksLikeFlowLogLine(first.slice(0, 2000))) {
    return `its first line is not a flow log record, header, JSON object or CSV row${decompressed ? ' (once decompressed)' : ''}`;
  }
  return undefined;
}

/**
 * Every file under a folder, recursively, in no particular order (the caller sorts; symbolic links to folders are
 * not followed, so no cycle). A loop, not recursion that spread each subfolder's list into its parent's: a
 * subfolder of some hundred thousand files overflowed the call stack (`flowlog diagnose /tmp`).
 */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const folders = [root];
  while (folders.length > 0) {
    const dir = folders.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) folders.push(p);
      else if (e.isFile() || e.isSymbolicLink()) out.push(p);
    }
  }
  return out;
}

/** Files matching a glob (`*`, `?`, `**`, `[abc]`, `{a,b}`), found under the glob's fixed leading folders. */
async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.split(sep).join('/');
  const parts = normalized.split('/');
  let fixed = 0;
  while (fixed < parts.length - 1 && !GLOB_CHARS.test(parts[fixed])) fixed++;
  const base = resolve(cwd, parts.slice(0, fixed).join('/') || '.');
  const re = globToRegExp(parts.slice(fixed).join('/'));
  const all = await walk(base);
  return all.filter((f) => re.test(relative(base, f).split(sep).join('/')));
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` is any number of folders (none included); a lone `**` anything.
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = close;
      }
    } else if (c === '{') {
      const close = glob.indexOf('}', i + 1);
      if (close < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, close).split(',').map(escapeRe).join('|')})`;
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const S3_FILE = /^(\d{12})_vpcflowlogs_([a-z0-9-]+)_(fl-[0-9a-f]+)_(\d{8}T\d{4}Z)_[0-9a-f]+\.log\.(?:gz|parquet)$/;
const CLS_FILE = /^(\d{12})_(\d+)_(\d+)\./;

/** Where a file came from, by the folders and name of its path. */
export function originOf(path: string): DeliveryOrigin {
  const parts = path.split(/[\\/]/);
  const name = parts[parts.length - 1];
  const file = S3_FILE.exec(name);
  const at = parts.lastIndexOf('AWSLogs');
  if (at >= 0) {
    const rest = parts.slice(at + 1, -1);
    if (rest[0]?.startsWith('aws-account-id=')) {
      const kv = new Map(rest.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
      if (kv.get('aws-service') === 'vpcflowlogs') {
        const o: DeliveryOrigin = {
          kind: 'aws-s3-hive',
          label: '',
          account: kv.get('aws-account-id'),
          region: kv.get('aws-region'),
          date: ymd(kv.get('year'), kv.get('month'), kv.get('day')),
          hour: kv.get('hour'),
          flowLogId: file?.[3],
          time: file?.[4],
        };
        o.label = labelOf('AWS S3 (Hive)', o);
        return o;
      }
    } else if (rest[1] === 'vpcflowlogs') {
      const o: DeliveryOrigin = {
        kind: 'aws-s3',
        label: '',
        account: rest[0],
        region: rest[2],
        date: ymd(rest[3], rest[4], rest[5]),
        hour: rest[6],
        flowLogId: file?.[3],
        time: file?.[4],
      };
      o.label = labelOf('AWS S3', o);
      return o;
    }
  }
  if (file) {
    const o: DeliveryOrigin = { kind: 'aws-s3', label: '', account: file[1], region: file[2], flowLogId: file[3], time: file[4] };
    o.label = labelOf('AWS S3', o);
    return o;
  }
  // CloudWatch Logs export: <prefix>/<task id>/<log stream>/000000.gz, the stream of a flow log `eni-…-all`.
  const stream = parts[parts.length - 2];
  if (/^\d{6}\.gz$/.test(name) && stream && /^eni-[0-9a-z]+/i.test(stream)) {
    const o: DeliveryOrigin = {
      kind: 'cloudwatch-export',
      label: '',
      exportTask: parts[parts.length - 3],
      logStream: stream,
      interfaceId: /^eni-[0-9a-z]+/i.exec(stream)![0],
    };
    o.label = `CloudWatch export · ${o.logStream}${o.exportTask ? ` · task ${o.exportTask}` : ''}`;
    return o;
  }
  const cls = CLS_FILE.exec(name);
  if (cls) {
    const o: DeliveryOrigin = { kind: 'cls-cos', label: '', time: cls[1] };
    const t = cls[1];
    o.label = `CLS → COS · shipped ${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}`;
    return o;
  }
  return { kind: 'file', label: name };
}

function ymd(y?: string, m?: string, d?: string): string | undefined {
  return y && m && d ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : undefined;
}

function labelOf(prefix: string, o: DeliveryOrigin): string {
  const parts = [prefix, o.account, o.region, o.date && (o.hour ? `${o.date} ${o.hour}h` : o.date), o.flowLogId].filter(Boolean);
  return parts.join(' · ');
}
