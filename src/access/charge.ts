// What a finished request charges to the key that made it: the upstream's usage when a channel
// served it, plus the tokens of every summary the compaction engine asked a model for on its
// behalf (a request that reached no channel, like a relay-made /v1/responses/compact answer,
// reports the summarizer's usage as its own, so it is counted once).
import type { UsageRow } from '../store/usage-log.ts';

/** Tokens billed at one model's prices. */
export interface ChargePart {
  model: string | null;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
}

const count = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

export function chargeOf(row: Pick<UsageRow, 'channel' | 'model' | 'input_tokens' | 'output_tokens' | 'cached_tokens' | 'summarizer_model' | 'summarizer_input_tokens' | 'summarizer_output_tokens' | 'summarizer_call'>): ChargePart[] {
  // A summarizer call's own row records the upstream call; the compacted request's row already charges its tokens.
  if (row.summarizer_call === 1) return [];
  const parts: ChargePart[] = [];
  if (row.channel) parts.push({ model: row.model ?? null, inputTokens: count(row.input_tokens), cachedTokens: count(row.cached_tokens), outputTokens: count(row.output_tokens) });
  const summarizerIn = count(row.summarizer_input_tokens);
  const summarizerOut = count(row.summarizer_output_tokens);
  if (summarizerIn > 0 || summarizerOut > 0) parts.push({ model: row.summarizer_model ?? row.model ?? null, inputTokens: summarizerIn, cachedTokens: 0, outputTokens: summarizerOut });
  return parts;
}

export const tokensOf = (parts: ChargePart[]): number => parts.reduce((sum, p) => sum + p.inputTokens + p.outputTokens, 0);
