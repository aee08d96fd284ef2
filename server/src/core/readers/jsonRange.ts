// The fast path for uncompressed JSON lines (a whole file, or a byte range of a big one read by one thread):
// positioned reads of about 1 MiB into one buffer used again and again (no fresh megabyte a read: first touches of
// new memory, and their collection, were a good part of the cost), cut at their last line break, and the lines of each
// read handed to the JSON sink as one run: an object's scan finds its line's end, so there is no search for line
// breaks. The partial line at a read's end is read again with the next read, never carried and joined.
//
// A read with a `\r`, or a line longer than a read, sends the rest of the range through the general line splitter
// (same sink, same line numbers): the answers are those of the general path, which the tests compare.
import { open } from 'node:fs/promises';
import { ChunkWriter, FLUSH_BYTES } from './chunkWriter';
import { DecodeOptions, readReason } from './pipeline';
import { JsonLinesSink } from './json';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './lineSplitter';
import { DecodeError, DecodedChunk } from './types';

const READ = 1 << 20;
const LF = 10;
const CR = 13;

/**
 * Canonical lines of the JSON lines in bytes [start, end) of a file (`start` at a line start); line numbers from
 * `firstLine`. Throws DecodeError (after yielding the lines before) when the file cannot be read on.
 */
export async function* decodeJsonLines(path: string, start: number, end: number, options: DecodeOptions, firstLine = 1): AsyncGenerator<DecodedChunk> {
  const out = new ChunkWriter(options.sourceColumns, options.reuseBuffers);
  const sink = new JsonLinesSink(out, options.sourceColumns ? undefined : options.fields);
  const cap = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // The sink copies what it keeps of a read (and the splitter its partial line): the buffer is free after each.
  const buf = Buffer.allocUnsafe(Math.min(READ, Math.max(1, end - start)));
  let pos = start;
  let lineNo = firstLine;
  let first = start === 0;
  let splitter: LineSplitter | undefined;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    while (pos < end) {
      options.signal?.throwIfAborted();
      const want = Math.min(buf.length, end - pos);
      const { bytesRead } = await handle.read(buf, 0, want, pos);
      if (bytesRead === 0) break;
      const data = buf.subarray(0, bytesRead);
      if (splitter) {
        // The general path, from where the runs stopped.
        splitter.push(data);
        pos += bytesRead;
      } else {
        let skip = 0;
        if (first && data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) skip = 3;
        first = false;
        const cut = data.lastIndexOf(LF) + 1;
        const cr = data.indexOf(CR, skip);
        if (cut <= skip || (cr >= 0 && cr < cut)) {
          // No line break in a whole read (a long line), or `\r` line ends: the line splitter reads on from here.
          splitter = new LineSplitter(sink, cap, false, lineNo);
          splitter.push(data.subarray(skip));
          pos += bytesRead;
        } else {
          lineNo += sink.run(data, skip, cut, lineNo, cap);
          pos += cut;
          // The last line without a line break (at the range's end, or where a file that shrank ends): the
          // splitter reads it, and says what it is.
          if (cut < bytesRead && (pos + (bytesRead - cut) >= end || bytesRead < want)) {
            splitter = new LineSplitter(sink, cap, false, lineNo);
            splitter.push(data.subarray(cut));
            pos = end;
          }
        }
      }
      if (out.size >= FLUSH_BYTES) yield out.take(pos - start)!;
    }
    splitter?.finish();
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    const pending = out.take(pos - start);
    if (pending) yield pending;
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(path, readReason(e), (splitter ? splitter.linesDone : lineNo - 1) + 1);
  } finally {
    await handle?.close();
  }
  const last = out.take(pos - start);
  if (last) yield last;
}
