// How the extension talks to ClickHouse through the language server: the settings (URL, table, timeout), the
// credentials kept in VS Code's SecretStorage (never in settings, never logged), and the options a request on a
// ClickHouse table carries (credentials sealed for the running server: sealedCredentials.ts).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ClickHouseKeyRequest, ClickHouseRequestOptions } from '../../../server/src/protocol';
import { clickhouseTargetOf } from '../../../server/src/clickhouseTarget';
import { sealCredentials } from '../../../server/src/sealedCredentials';
import { credentialKey, parseStoredCredentials } from './credentialKey';

let secrets: vscode.SecretStorage | undefined;

export function registerClickHouseAccess(context: vscode.ExtensionContext): void {
  secrets = context.secrets;
}

export interface ClickHouseSettings {
  url: string;
  table: string;
  timeoutMs: number;
}

export function clickhouseSettings(): ClickHouseSettings {
  const c = vscode.workspace.getConfiguration('flowlog.clickhouse');
  const seconds = c.get<number>('timeoutSeconds', 600);
  return { url: c.get<string>('url', '').trim(), table: c.get<string>('table', 'flows').trim(), timeoutMs: Math.max(1, seconds) * 1000 };
}

export async function storedCredentials(url: string): Promise<{ user: string; password: string } | undefined> {
  if (!secrets) return undefined;
  return parseStoredCredentials(await secrets.get(credentialKey(url)));
}

export async function storeCredentials(url: string, credentials: { user: string; password: string } | undefined): Promise<void> {
  if (!secrets) throw new Error('the extension is not active');
  const key = credentialKey(url);
  if (credentials) await secrets.store(key, JSON.stringify(credentials));
  else await secrets.delete(key);
}

/** What a request on `uri` carries when it names a ClickHouse table (undefined for files and folders). */
export async function clickhouseOptionsFor(client: LanguageClient, uri: string): Promise<ClickHouseRequestOptions | undefined> {
  const target = clickhouseTargetOf(uri);
  return target ? requestOptions(client, target.url) : undefined;
}

/** The timeout, and the stored credentials of the server at `url` sealed for the running language server. */
export async function requestOptions(client: LanguageClient, url: string): Promise<ClickHouseRequestOptions> {
  const options: ClickHouseRequestOptions = { timeoutMs: clickhouseSettings().timeoutMs };
  const credentials = await storedCredentials(url);
  if (credentials) {
    const { publicKey } = await client.sendRequest(ClickHouseKeyRequest);
    options.credentials = sealCredentials(credentials, publicKey);
  }
  return options;
}
