// Which files get a decoded view, and the view's URI: a compressed or binary flow log (`.gz`, `.snappy`, `.lzo`,
// `.parquet`) is shown as the read-only document `flowlog-decoded:<its path>`. Told by the file's first bytes (the
// readers' magic numbers), the name deciding only for the snappy shapes without one.
import * as vscode from 'vscode';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { DECODED_SCHEME } from '../../../server/src/protocol';
import { detectCompression, isParquet } from '../../../server/src/core/readers/detect';

export function decodedUriOf(file: vscode.Uri): vscode.Uri {
  return file.with({ scheme: DECODED_SCHEME, query: '', fragment: '' });
}

export function fileOfDecoded(view: vscode.Uri): vscode.Uri {
  return vscode.Uri.file(view.fsPath);
}

export function isDecodedUri(uri: vscode.Uri): boolean {
  return uri.scheme === DECODED_SCHEME;
}

/** How a file on disk is shown: as it is, or decoded (and then where line n of the file is: n + lineOffset). */
export interface FileView {
  decoded: boolean;
  /** A Parquet view starts with a header line of its columns: row n is on line n + 1. */
  lineOffset: number;
}

/** Whether the file at `path` is compressed or Parquet (its view is decoded), from its first bytes. */
export async function viewOfFile(path: string): Promise<FileView> {
  let head: Buffer;
  let size: number;
  try {
    const handle = await open(path, 'r');
    try {
      size = (await handle.stat()).size;
      head = Buffer.alloc(Math.min(size, 4096));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch {
    return { decoded: false, lineOffset: 0 };
  }
  if (isParquet(head).start) return { decoded: true, lineOffset: 1 };
  return { decoded: detectCompression(head, size, basename(path)) !== 'none', lineOffset: 0 };
}

/** The URI that shows `path` (its decoded view for a compressed or Parquet file), and its line offset. */
export async function viewUriOf(path: string): Promise<{ uri: vscode.Uri; lineOffset: number }> {
  const file = vscode.Uri.file(path);
  const view = await viewOfFile(path);
  return { uri: view.decoded ? decodedUriOf(file) : file, lineOffset: view.lineOffset };
}
