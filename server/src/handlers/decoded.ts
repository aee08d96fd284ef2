// flowlog/decodedText: the text of a compressed or binary flow log for its read-only view (flowlog-decoded:),
// decoded here, in the language server, where the readers run: the extension host, shared by every extension, never
// spends seconds on a Parquet or LZO file. Compressed files show their own text decompressed (a JSON or CSV
// shipment stays JSON or CSV, its lines the file's lines, so that problems land on its values); Parquet, which has
// no text, shows the readers' canonical lines (a header line of its columns, then one line a row). The text goes
// in pages as partial results, and stops at a line end before maxBytes.
import { CancellationToken, Connection } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { DecodeError, decodeFile, decompressedBytes, detectFile } from '../core/readers';
import { DECODED_VIEW_MAX_BYTES, DecodedTextPage, DecodedTextParams, DecodedTextProgress, DecodedTextRequest, DecodedTextResult } from '../protocol';
import { abortOn, cancelledOr } from './source';

/** Text handed to the client per page. */
const PAGE_BYTES = 4 << 20;

/** Files whose views stop before their end: an open view of one is not the whole file (source.ts reads the file). */
const truncatedViews = new Set<string>();

export function isTruncatedView(path: string): boolean {
  return truncatedViews.has(path);
}

/** Decodes `path` into pages of text of whole lines; stops at a line end before `maxBytes`. */
export async function decodeForView(path: string, maxBytes: number, onPage: (page: DecodedTextPage) => void, signal?: AbortSignal): Promise<DecodedTextResult> {
  const format = await detectFile(path);
  const result: DecodedTextResult = { compression: format.compression, encoding: format.encoding, lineOffset: format.encoding === 'parquet' ? 1 : 0, bytes: 0, truncated: false };
  const decoder = new TextDecoder('utf-8');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lines = 0;
  const flush = (final: boolean) => {
    if (pendingBytes === 0) return;
    let bytes = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const room = maxBytes - result.bytes;
    if (bytes.length > room) {
      // Past the cap: up to the last whole line that fits.
      const cut = bytes.lastIndexOf(10, room - 1);
      bytes = bytes.subarray(0, cut + 1);
      result.truncated = true;
    }
    result.bytes += bytes.length;
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
    const text = decoder.decode(bytes, { stream: !final && !result.truncated });
    if (text) onPage({ text });
  };
  const source = format.encoding === 'parquet' ? canonicalBytes(path, signal) : decompressedBytes(path, format.compression, signal);
  try {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= PAGE_BYTES || result.bytes + pendingBytes > maxBytes) flush(false);
      if (result.truncated) break;
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    flush(true);
    result.error = `${e.reason}${e.line !== undefined ? ` (line ${e.line})` : ''}: the view shows the ${lines.toLocaleString('en-US')} lines before it`;
    return result;
  }
  flush(true);
  if (result.truncated) truncatedViews.add(path);
  else truncatedViews.delete(path);
  return result;
}

/** A Parquet file's canonical lines (a header line of its columns, then a line a row), as bytes. */
async function* canonicalBytes(path: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for await (const chunk of decodeFile(path, { signal })) yield chunk.bytes;
}

export function registerDecodedText(connection: Connection): void {
  connection.onRequest(DecodedTextRequest, async (params: DecodedTextParams, token: CancellationToken) => {
    const abort = abortOn(token);
    const pageToken = params.partialResultToken;
    try {
      return await decodeForView(URI.parse(params.uri).fsPath, params.maxBytes ?? DECODED_VIEW_MAX_BYTES, (page) => {
        if (pageToken !== undefined) void connection.sendProgress(DecodedTextProgress, pageToken, page);
      }, abort.signal);
    } catch (e) {
      throw cancelledOr(e instanceof DecodeError ? new Error(e.message) : e, abort.signal);
    } finally {
      abort.dispose();
    }
  });
}
