// ClickHouse credentials on their way from the extension (VS Code's SecretStorage) to the language server, sealed
// so that no log shows them: with `flowlog.trace.server` at `verbose` every LSP message is written, params and
// all, to the Flow Logs output channel. The server holds an ECDH key pair for its lifetime and hands out the
// public half (ClickHouseKeyRequest); the client seals each request's credentials with a fresh key pair of its
// own (ECDH P-256 → HKDF-SHA256 → AES-256-GCM). A trace shows two public keys and a ciphertext. Pure node:crypto.
import type { SealedCredentials } from './protocol';
import { createCipheriv, createDecipheriv, createECDH, ECDH, hkdfSync, randomBytes } from 'node:crypto';

export interface PlainCredentials {
  user?: string;
  password?: string;
}

export type { SealedCredentials };

const CURVE = 'prime256v1';
const INFO = 'flowlog clickhouse credentials v1';

function keyOf(secret: Buffer, clientKey: Buffer, serverKey: Buffer): Buffer {
  // Both public keys as the salt: the key is bound to this exchange.
  return Buffer.from(hkdfSync('sha256', secret, Buffer.concat([clientKey, serverKey]), INFO, 32));
}

/** Seals `credentials` for the server whose public key is `serverPublicKey` (base64). */
export function sealCredentials(credentials: PlainCredentials, serverPublicKey: string): SealedCredentials {
  const ecdh = createECDH(CURVE);
  const clientKey = ecdh.generateKeys();
  const serverKey = Buffer.from(serverPublicKey, 'base64');
  const key = keyOf(ecdh.computeSecret(serverKey), clientKey, serverKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify({ user: credentials.user, password: credentials.password }), 'utf8'), cipher.final()]);
  return { publicKey: clientKey.toString('base64'), iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** The server's half: one key pair for the process's life, and the opening of what clients sealed with it. */
export class CredentialOpener {
  private readonly ecdh: ECDH;
  private readonly key: Buffer;

  constructor() {
    this.ecdh = createECDH(CURVE);
    this.key = this.ecdh.generateKeys();
  }

  get publicKey(): string {
    return this.key.toString('base64');
  }

  /** The credentials, or an Error that names no part of them (sealed for another key, damaged, not credentials). */
  open(sealed: SealedCredentials): PlainCredentials {
    try {
      const clientKey = Buffer.from(sealed.publicKey, 'base64');
      const key = keyOf(this.ecdh.computeSecret(clientKey), clientKey, this.key);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
      const value = JSON.parse(text) as Record<string, unknown>;
      const field = (v: unknown) => (typeof v === 'string' ? v : undefined);
      return { user: field(value.user), password: field(value.password) };
    } catch {
      throw new Error('the ClickHouse credentials could not be opened (sealed for an earlier language server: run the query again)');
    }
  }
}
