// Records as text chunks, in order, on the calling thread: for the consumers that read a source from start to end
// outside the engine's units (the ClickHouse loader, the diagnosis). Every delivery shape is read through the
// readers (folders, globs, gzip/snappy/lzop, JSON, CSV, Parquet, CloudWatch exports), exactly as the engine reads
// it, so a file loads and diagnoses the same records that it queries. Memory stays constant: one chunk at a time.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DecodeProblem, NotAFlowLogError, decodeFile } from '../readers';
import { QuerySource, expandSource } from './input';

export type { QuerySource } from './input';

/** A run of whole canonical lines. `text` holds them, each ending with \n. */
export interface Chunk {
  file: string;
  text: string;
  /** Bytes of input consumed so far, over all files, and the total (compressed sizes for compressed files). */
  bytesDone: number;
  bytesTotal: number;
  /** The chunk starts a new file (header bindings reset). */
  fileStart: boolean;
  /** The source line of the chunk's first line (1-based; 0 for a header line a reader made up). */
  firstLine: number;
  /** Source lines of each line where they are not consecutive from firstLine (JSON, CSV, Parquet). */
  lines?: Int32Array;
  /** Source lines the reader could not make a record of (each is a `!` line in `text`), with why. */
  problems?: DecodeProblem[];
}

const CHUNK = 1 << 20;

/** Bytes of a source as stored (a folder: every file under it), for progress. */
export function sourceBytes(source: QuerySource): number {
  if (source.kind === 'text') return Buffer.byteLength(source.text);
  let n = 0;
  const add = (path: string) => {
    let s;
    try {
      s = statSync(path);
    } catch {
      return; // a glob, stdin or a missing path: the reader says what is wrong
    }
    if (s.isDirectory()) for (const e of readdirSync(path)) add(join(path, e));
    else if (s.isFile()) n += s.size;
  };
  for (const p of source.paths) add(p);
  return n;
}

/**
 * The source's canonical lines, file after file. A file that cannot be read throws the readers' DecodeError after
 * the lines before its damage; files of folders that are not flow logs are left out.
 */
export async function* readChunks(source: QuerySource): AsyncGenerator<Chunk> {
  if (source.kind === 'text') {
    // Slices of an in-memory document, so the caller can yield to the event loop (progress, cancellation).
    const text = source.text.charCodeAt(0) === 0xfeff ? source.text.slice(1) : source.text;
    const total = text.length;
    let at = 0;
    let line = 1;
    while (at < total) {
      let end = Math.min(total, at + CHUNK);
      if (end < total) {
        const nl = text.indexOf('\n', end);
        end = nl < 0 ? total : nl + 1;
      }
      const piece = text.slice(at, end);
      yield { file: source.name, text: piece, bytesDone: end, bytesTotal: total, fileStart: at === 0, firstLine: line };
      for (let i = piece.indexOf('\n'); i >= 0; i = piece.indexOf('\n', i + 1)) line++;
      at = end;
    }
    return;
  }
  const expanded = await expandSource(source);
  if (expanded.errors.length > 0) {
    const e = expanded.errors[0];
    throw Object.assign(new Error(`${e.file}: ${e.message}`), { path: e.file, reason: e.message });
  }
  const total = expanded.files.reduce((n, f) => n + f.size, 0);
  const decoder = new TextDecoder();
  let before = 0;
  for (const file of expanded.files) {
    let first = true;
    try {
      for await (const chunk of decodeFile(file.path, { formatHint: source.formatHint, csv: source.csv, onlyFlowLogs: file.found })) {
        yield {
          file: file.path, text: decoder.decode(chunk.bytes), bytesDone: before + chunk.bytesRead, bytesTotal: total, fileStart: first,
          firstLine: chunk.firstLine, lines: chunk.lines, problems: chunk.problems,
        };
        first = false;
      }
    } catch (e) {
      if (!(e instanceof NotAFlowLogError)) throw e;
    }
    before += file.size;
  }
}
