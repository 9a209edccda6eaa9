// Chat Completions `usage` (prompt/completion tokens and their details) ⇄ neutral usage.
import type { Usage } from '../../conversation/model.ts';
import { tokenCount } from '../../conversation/token-count.ts';

/** A chat `usage` object → neutral usage (undefined when there is none). */
export function usageFromChat(usage: any): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const inputTokens = tokenCount(usage.prompt_tokens);
  const outputTokens = tokenCount(usage.completion_tokens);
  return {
    inputTokens,
    outputTokens,
    totalTokens: tokenCount(usage.total_tokens) || inputTokens + outputTokens,
    cachedTokens: tokenCount(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: tokenCount(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** Neutral usage → a chat `usage` object. */
export function chatUsage(u: Usage): Record<string, unknown> {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.totalTokens || u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}
