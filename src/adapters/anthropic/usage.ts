// Anthropic `usage` ⇄ neutral usage. Anthropic counts cache reads and cache writes apart from
// `input_tokens`; OpenAI's input count includes them, so they are added back and reads reported
// as cached. A stream reports the input in message_start and the final output in message_delta.
import type { Usage } from '../../conversation/model.ts';
import { tokenCount } from '../../conversation/token-count.ts';

/** An Anthropic `usage` object → neutral usage (undefined when there is none). */
export function usageFromAnthropic(usage: any): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const cachedTokens = tokenCount(usage.cache_read_input_tokens);
  const inputTokens = tokenCount(usage.input_tokens) + cachedTokens + tokenCount(usage.cache_creation_input_tokens);
  const outputTokens = tokenCount(usage.output_tokens);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens, reasoningTokens: 0 };
}

/** The usage of an Anthropic stream: message_start's, overridden by the counts message_delta sets. */
export function mergeAnthropicUsage(start: any, delta: any): Usage | undefined {
  if (!start && !delta) return undefined;
  return usageFromAnthropic({ ...(start ?? {}), ...Object.fromEntries(Object.entries(delta ?? {}).filter(([, v]) => v !== null && v !== undefined)) });
}

/** Neutral usage → an Anthropic `usage` object. */
export function anthropicUsage(u: Usage): Record<string, unknown> {
  return { input_tokens: u.inputTokens, output_tokens: u.outputTokens, cache_read_input_tokens: u.cachedTokens };
}
