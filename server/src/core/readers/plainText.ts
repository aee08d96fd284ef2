// The fast path for plain uncompressed text: positioned reads of about 1 MiB cut at their last line break, so
// each chunk is a run of whole lines handed on as it was read (no copy). The next read starts at the cut: the
// partial line at a read's end is read again, never carried and joined. A file with `\r` line ends, or a line
// longer than the cap, is read from that point on by the general line splitter.
import { open } from 'node:fs/promises';
import { DecodedChunk } from './types';

const READ = 1 << 20;
const LF = 10;
const CR = 13;

/**
 * Read buffers free for the next read, kept by the thread from one range to the next (module state is per thread):
 * a query reads a big file as a dozen ranges a thread, and two fresh megabytes a range were garbage that a
 * worker's collector let pile up (6-10 MB more at the peak). At most KEPT_READS; a buffer is here only while no
 * chunk of it is out.
 */
const freeReads: Buffer[] = [];
const KEPT_READS = 3;

export interface PlainTextOptions {
  cap: number;
  /** The range starts the file (a byte order mark there is dropped). */
  startsFile: boolean;
  signal?: AbortSignal;
  /** Bytes of the range read so far (progress), kept up to date for the caller. */
  counter: { n: number };
  /**
   * The consumer is done with a chunk when it asks for the next one (it keeps no view of it): two read buffers are
   * used in turn instead of a fresh megabyte a read (first touches of new memory are most of a read's cost), and
   * kept for the thread's next range.
   */
  reuseBuffers?: boolean;
}

/**
 * Chunks of `[start, end)` while the text is plain; returns where it stopped (`end`, or the start of the first
 * line the general splitter must read) and the number of the next line.
 */
export async function* plainTextRuns(path: string, start: number, end: number, o: PlainTextOptions): AsyncGenerator<DecodedChunk, { pos: number; nextLine: number }> {
  const handle = await open(path, 'r');
  let pos = start;
  let lineNo = 1;
  let first = o.startsFile;
  // The next read is asked for before a chunk is handed on: the disk works while the consumer scans.
  const readAt = (at: number) => {
    const want = Math.min(READ, end - at);
    const kept = o.reuseBuffers ? freeReads.pop() : undefined;
    const buf = kept && kept.length >= want ? kept : Buffer.allocUnsafe(want);
    return handle.read(buf, 0, want, at).then(({ bytesRead }) => ({ buf, bytesRead }));
  };
  let next: ReturnType<typeof readAt> | undefined;
  try {
    while (pos < end) {
      o.signal?.throwIfAborted();
      const { buf, bytesRead } = await (next ?? readAt(pos));
      next = undefined;
      if (bytesRead === 0) break;
      const data = buf.subarray(0, bytesRead);
      let skip = 0;
      if (first) {
        first = false;
        if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) skip = 3;
      }
      const atEnd = pos + bytesRead >= end;
      const cut = atEnd ? bytesRead : data.lastIndexOf(LF) + 1;
      // No line break in a whole read (a long line), or `\r` line ends: the general splitter goes on from here.
      if (cut <= skip) return { pos: pos + skip, nextLine: lineNo };
      const cr = data.indexOf(CR, skip);
      if (cr >= 0 && cr < cut) return { pos: pos + skip, nextLine: lineNo };
      // Count the lines (the next chunk's first line number). A line inside one read is shorter than the read, so
      // only a cap smaller than the read needs each line measured.
      let count = 0;
      if (o.cap >= cut - skip) {
        count = countLineFeeds(data, skip, cut);
        if (data[cut - 1] !== LF) count++;
      } else {
        let at = skip;
        while (at < cut) {
          let nl = data.indexOf(LF, at);
          if (nl < 0 || nl >= cut) nl = cut;
          if (nl - at > o.cap) return { pos: pos + at, nextLine: lineNo + count };
          count++;
          at = nl + 1;
        }
      }
      let bytes: Uint8Array = data.subarray(skip, cut);
      if (atEnd && data[cut - 1] !== LF) {
        // The file's last line has no line break: canonical lines all end with one.
        const b = Buffer.allocUnsafeSlow(cut - skip + 1);
        b.set(bytes);
        b[b.length - 1] = LF;
        bytes = b;
      }
      pos += cut;
      o.counter.n = pos - start;
      if (pos < end) next = readAt(pos);
      yield { bytes, firstLine: lineNo, bytesRead: pos - start };
      // Asked for the next chunk: this one's buffer is free for the read after next.
      if (o.reuseBuffers && buf.length === READ && freeReads.length < KEPT_READS) freeReads.push(buf);
      lineNo += count;
    }
    return { pos, nextLine: lineNo };
  } finally {
    // A read still under way (the consumer stopped early) finishes before the file is closed.
    await next?.catch(() => undefined);
    await handle.close();
  }
}

/**
 * The number of `\n` bytes in `buf[start, end)`. Buffer's indexOf is memchr: faster than any loop over the bytes
 * in JavaScript, even at one call per line.
 */
export function countLineFeeds(buf: Uint8Array, start: number, end: number): number {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  for (let i = b.indexOf(LF, start); i >= 0 && i < end; i = b.indexOf(LF, i + 1)) n++;
  return n;
}
