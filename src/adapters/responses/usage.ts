// Responses `usage` (input/output tokens and their details) ⇄ neutral usage.
import type { Usage } from '../../conversation/model.ts';
import { tokenCount } from '../../conversation/token-count.ts';

/** A Responses `usage` object → neutral usage (undefined when there is none). */
export function usageFromResponses(usage: any): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const inputTokens = tokenCount(usage.input_tokens);
  const outputTokens = tokenCount(usage.output_tokens);
  return {
    inputTokens,
    outputTokens,
    totalTokens: tokenCount(usage.total_tokens) || inputTokens + outputTokens,
    cachedTokens: tokenCount(usage.input_tokens_details?.cached_tokens),
    reasoningTokens: tokenCount(usage.output_tokens_details?.reasoning_tokens),
  };
}

/** Neutral usage → a Responses `usage` object. */
export function responsesUsage(u: Usage): Record<string, unknown> {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: u.cachedTokens },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: u.totalTokens || u.inputTokens + u.outputTokens,
  };
}
