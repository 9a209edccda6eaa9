// Remembers which channel minted each upstream-encrypted blob (OpenAI compaction and reasoning
// items), in shared state, so a later request carrying it is pinned to that exact channel: only
// the credential that minted a blob can open it.
import { createHash } from 'node:crypto';
import type { SharedState } from '../state/shared-state.ts';

const TTL_SECONDS = 7 * 24 * 3600;
const keyOf = (blob: string) => `blob:${createHash('sha256').update(blob).digest('base64url')}`;

export function rememberIssuer(state: SharedState | undefined, blob: string, channel: string): void {
  state?.setAffinity(keyOf(blob), channel, TTL_SECONDS).catch(() => undefined);
}

/** The channel that minted the first of these blobs it knows, if any. */
export async function issuerOf(state: SharedState | undefined, blobs: string[]): Promise<string | undefined> {
  if (!state) return undefined;
  for (const blob of blobs) {
    const channel = await state.getAffinity(keyOf(blob));
    if (channel) return channel;
  }
  return undefined;
}
