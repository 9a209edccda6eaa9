// Encryption at rest for the upstream API keys of channels: AES-256-GCM under a key derived from
// the server secret, with a versioned prefix. Values without the prefix are legacy plain text,
// read as they are and sealed by `CatalogStore.sealPlainKeys`.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'crkey1.';
const AAD = Buffer.from('compact-relay/channel-key/v1');

export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own, apart from the one that seals compaction items.
    this.key = createHash('sha256').update('compact-relay channel key\0').update(secret).digest();
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  seal(plain: string): string {
    if (!plain) return '';
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plain value; undefined when it was sealed under another secret (or tampered with). */
  open(stored: string): string | undefined {
    if (!SecretBox.isSealed(stored)) return stored;
    try {
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
