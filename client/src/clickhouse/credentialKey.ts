// Where a server's credentials live in SecretStorage: one entry per server (scheme, host and port), so that two
// servers keep two users. No vscode here: unit tests check it.

/** The SecretStorage key of the credentials for the ClickHouse server at `url`. */
export function credentialKey(url: string): string {
  return `flowlog.clickhouse.credentials:${new URL(url.trim()).origin}`;
}

/** The credentials a SecretStorage entry holds; undefined when it holds nothing usable. */
export function parseStoredCredentials(text: string | undefined): { user: string; password: string } | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    return typeof v.user === 'string' && typeof v.password === 'string' ? { user: v.user, password: v.password } : undefined;
  } catch {
    return undefined;
  }
}
