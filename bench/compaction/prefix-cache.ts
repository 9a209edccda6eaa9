// Prompt-cache accounting for forwarded requests, as the upstream would bill them: OpenAI-style
// automatic prefix caching for Chat (the longest run of leading messages seen in an earlier request,
// at least 1,024 tokens), and prefix breaks between consecutive requests. Tokens are estimated as
// the emulator does (four characters a token).
import { createHash } from 'node:crypto';

export const MIN_CACHED_PREFIX_TOKENS = 1024;
export const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** A message serialized without cache_control marks (they move every turn and are not content). */
export function messageKey(message: unknown): string {
  return JSON.stringify(message, (key, value) => (key === 'cache_control' ? undefined : value));
}

export class ChatPrefixCache {
  private readonly seen = new Set<string>();

  /** Tokens of the request, and how many of them an automatic prefix cache would serve. */
  account(messages: unknown[]): { totalTokens: number; cachedTokens: number } {
    let chain = '';
    let total = 0;
    let cached = 0;
    const chains: string[] = [];
    for (const message of messages) {
      const text = messageKey(message);
      chain = createHash('sha256').update(chain).update(text).digest('hex');
      chains.push(chain);
      total += estimateTokens(text);
      if (this.seen.has(chain)) cached = total;
    }
    for (const c of chains) this.seen.add(c);
    return { totalTokens: total, cachedTokens: cached >= MIN_CACHED_PREFIX_TOKENS ? cached : 0 };
  }
}

/** True when `previous` (the last forwarded messages) is still the start of `current`. */
export function keepsPrefix(previous: unknown[], current: unknown[]): boolean {
  if (previous.length > current.length) return false;
  for (let i = 0; i < previous.length; i++) if (messageKey(previous[i]) !== messageKey(current[i])) return false;
  return true;
}
