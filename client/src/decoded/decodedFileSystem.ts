// The read-only file system behind decoded views: `flowlog-decoded:/path/x.log.gz` reads as the text of
// /path/x.log.gz decoded by the language server (flowlog/decodedText, in pages), so VS Code opens it as an ordinary
// read-only text document: every language feature works on it, and the user's file is never written. A change of
// the file on disk reloads the view.
import * as vscode from 'vscode';
import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DECODED_SCHEME, DecodedTextProgress, DecodedTextRequest, DecodedTextResult } from '../../../server/src/protocol';
import { FlowLogClient } from '../languageClient';
import { fileOfDecoded } from './decodedUri';

let nextToken = 0;

export class DecodedFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly decoded = new vscode.EventEmitter<vscode.Uri>();
  /** A view was decoded (its size is known now: a view over 50 MB is never handed to extensions). */
  readonly onDidDecode = this.decoded.event;
  /** Text size of views decoded so far (stat reports it), and how each was decoded (line offset, truncation). */
  private readonly decodedSize = new Map<string, number>();
  private readonly results = new Map<string, DecodedTextResult>();
  /** Reads under way: VS Code may ask twice at once (stat, then read; two editors). */
  private readonly reading = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly client: FlowLogClient) {}

  /** How the view of `uri` was decoded last (undefined before its first read). */
  resultOf(uri: vscode.Uri): DecodedTextResult | undefined {
    return this.results.get(uri.toString());
  }

  watch(uri: vscode.Uri): vscode.Disposable {
    let timer: NodeJS.Timeout | undefined;
    try {
      const watcher = watch(fileOfDecoded(uri).fsPath, () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]), 500);
      });
      watcher.on('error', () => undefined);
      return new vscode.Disposable(() => {
        clearTimeout(timer);
        watcher.close();
      });
    } catch {
      return new vscode.Disposable(() => undefined);
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const file = fileOfDecoded(uri).fsPath;
    const st = await stat(file).catch(() => {
      throw vscode.FileSystemError.FileNotFound(uri);
    });
    if (!st.isFile()) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: st.ctimeMs, mtime: st.mtimeMs, size: this.decodedSize.get(uri.toString()) ?? st.size, permissions: vscode.FilePermission.Readonly };
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const key = uri.toString();
    let read = this.reading.get(key);
    if (!read) {
      read = this.decode(uri).finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  private async decode(uri: vscode.Uri): Promise<Uint8Array> {
    const file = fileOfDecoded(uri);
    const client = await this.client.get();
    const token = `flowlog-decoded-${++nextToken}`;
    const pages: string[] = [];
    const sub = client.onProgress(DecodedTextProgress, token, (page) => {
      pages.push(page.text);
    });
    let result: DecodedTextResult;
    try {
      result = await client.sendRequest(DecodedTextRequest, { uri: file.toString(), partialResultToken: token });
    } catch (e) {
      throw vscode.FileSystemError.Unavailable(`${file.fsPath} cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      sub.dispose();
    }
    const bytes = Buffer.from(pages.join(''), 'utf8');
    this.decodedSize.set(uri.toString(), bytes.length);
    this.results.set(uri.toString(), result);
    this.decoded.fire(uri);
    const name = file.path.split('/').pop();
    if (result.error) void vscode.window.showWarningMessage(`${name}: ${result.error}.`);
    if (result.truncated) {
      void vscode.window.showInformationMessage(`The decoded view of ${name} shows its first ${(result.bytes / 1048576).toFixed(0)} MB; queries, the summary and its problems read the whole file.`);
    }
    return bytes;
  }

  readDirectory(): [string, vscode.FileType][] {
    throw vscode.FileSystemError.NoPermissions('decoded views are single files');
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

export function registerDecodedFileSystem(context: vscode.ExtensionContext, client: FlowLogClient): DecodedFileSystem {
  const fs = new DecodedFileSystem(client);
  context.subscriptions.push(vscode.workspace.registerFileSystemProvider(DECODED_SCHEME, fs, { isReadonly: true, isCaseSensitive: true }));
  return fs;
}
