// Seals and opens the relay's own `compaction` items: AES-256-GCM under the server secret, bound
// in the authenticated data to the API key that received the item and the model family it was
// made for, with an expiry; anything else (tampered, foreign, another key's, expired) is a 400.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { badRequest } from '../errors.ts';

/** Every blob this relay mints starts with this; anything else belongs to an upstream. */
export const SEAL_PREFIX = 'crseal1.';
/** The payload version inside the prefix: v2 binds owner and model family (v1 items no longer open). */
const PAYLOAD_VERSION = 2;
const AAD_LABEL = 'compact-relay/compaction/v2';
/** Default lifetime of a sealed item: long enough to resume a session after a holiday. */
export const DEFAULT_SEAL_TTL_SEC = 30 * 24 * 3600;

export interface SealedSummary {
  /** The handoff summary text the blob stands for. */
  summary: string;
  /** The model the compaction was made for. */
  model: string;
  /** Unix seconds when it was sealed. */
  createdAt: number;
}

/** Who may open a sealed item, and for which models: both go into the AEAD's authenticated data. */
export interface SealBinding {
  /** The API key that received the item (see seal-binding.ts). */
  owner: string;
  /** The model family it may be used with. */
  family: string;
}

export interface OpenedSummary extends SealedSummary {
  /** Unix seconds after which the item is refused. */
  expiresAt: number;
}

export function isRelaySealed(encryptedContent: unknown): encryptedContent is string {
  return typeof encryptedContent === 'string' && encryptedContent.startsWith(SEAL_PREFIX);
}

const aadOf = (binding: SealBinding) => Buffer.from(`${AAD_LABEL}\0${binding.owner}\0${binding.family}`, 'utf8');

export class CompactionSealer {
  private readonly key: Buffer;
  private readonly ttlSec: number;

  /** `secret` is any high-entropy string; the AES key is derived from it. */
  constructor(secret: string, options: { ttlSec?: number } = {}) {
    this.key = createHash('sha256').update('compact-relay seal key\0').update(secret).digest();
    this.ttlSec = options.ttlSec ?? DEFAULT_SEAL_TTL_SEC;
  }

  seal(content: SealedSummary, binding: SealBinding): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aadOf(binding));
    const expiresAt = content.createdAt + this.ttlSec;
    const payload = { v: PAYLOAD_VERSION, s: content.summary, m: content.model, t: content.createdAt, e: expiresAt };
    const body = Buffer.concat([cipher.update(Buffer.from(JSON.stringify(payload), 'utf8')), cipher.final()]);
    return SEAL_PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Opens a relay-sealed blob for `binding`. A tampered blob, one sealed under another secret, for
   * another key or model family, or past its expiry is a 400 `invalid_encrypted_content`.
   */
  open(blob: string, binding: SealBinding, param = 'input', nowSec = Math.floor(Date.now() / 1000)): OpenedSummary {
    const invalid = (why: string) => badRequest(`The compaction item's encrypted_content ${why}.`, param, 'invalid_encrypted_content');
    const unverifiable = () => invalid('could not be verified: it was altered, or sealed by another relay, for another API key or for another model family');
    if (!isRelaySealed(blob)) throw unverifiable();
    const raw = Buffer.from(blob.slice(SEAL_PREFIX.length), 'base64url');
    if (raw.length < 12 + 16 + 1) throw unverifiable();
    let parsed: any;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(aadOf(binding));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plaintext = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      parsed = JSON.parse(plaintext.toString('utf8'));
    } catch {
      throw unverifiable();
    }
    if (parsed?.v !== PAYLOAD_VERSION || typeof parsed.s !== 'string' || !Number.isFinite(parsed.e)) throw unverifiable();
    if (parsed.e <= nowSec) throw invalid('has expired; compact the conversation again');
    return { summary: parsed.s, model: String(parsed.m ?? ''), createdAt: Number(parsed.t ?? 0), expiresAt: parsed.e };
  }
}
