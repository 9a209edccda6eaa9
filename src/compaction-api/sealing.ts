// Seals and opens the relay's own `compaction` items: AES-256-GCM under the server secret, with
// a versioned prefix so relay-minted blobs are told apart from upstream-minted ones at a glance.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { badRequest } from '../errors.ts';

/** Every blob this relay mints starts with this; anything else belongs to an upstream. */
export const SEAL_PREFIX = 'crseal1.';
const AAD = Buffer.from('compact-relay/compaction/v1');

export interface SealedSummary {
  /** The handoff summary text the blob stands for. */
  summary: string;
  /** The model the compaction was made for. */
  model: string;
  /** Unix seconds when it was sealed. */
  createdAt: number;
}

export function isRelaySealed(encryptedContent: unknown): encryptedContent is string {
  return typeof encryptedContent === 'string' && encryptedContent.startsWith(SEAL_PREFIX);
}

export class CompactionSealer {
  private readonly key: Buffer;

  /** `secret` is any high-entropy string; the AES key is derived from it. */
  constructor(secret: string) {
    this.key = createHash('sha256').update('compact-relay seal key\0').update(secret).digest();
  }

  seal(content: SealedSummary): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const plaintext = Buffer.from(JSON.stringify({ v: 1, s: content.summary, m: content.model, t: content.createdAt }), 'utf8');
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return SEAL_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** Opens a relay-sealed blob; a tampered blob or one sealed under another secret is a 400. */
  open(blob: string, param = 'input'): SealedSummary {
    const invalid = () => badRequest(
      'The compaction item\'s encrypted_content could not be verified: it was altered or sealed by another relay or key.',
      param,
      'invalid_encrypted_content',
    );
    if (!isRelaySealed(blob)) throw invalid();
    const raw = Buffer.from(blob.slice(SEAL_PREFIX.length), 'base64url');
    if (raw.length < 12 + 16 + 1) throw invalid();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plaintext = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      const parsed = JSON.parse(plaintext.toString('utf8'));
      if (parsed?.v !== 1 || typeof parsed.s !== 'string') throw new Error('unknown payload');
      return { summary: parsed.s, model: String(parsed.m ?? ''), createdAt: Number(parsed.t ?? 0) };
    } catch {
      throw invalid();
    }
  }
}
