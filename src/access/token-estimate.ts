// What a request may cost before it is forwarded, for token limits and quotas: its input counted
// with the o200k tokenizer over the text a model reads (tool definitions as their JSON; not base64
// images, encrypted blobs or ids),
// plus the output it may produce: its own max_tokens / max_completion_tokens / max_output_tokens,
// or a default reserve when it sets none. Reconciled with the upstream's real usage afterwards.
import { countTextTokens, ITEM_OVERHEAD } from '../compaction/tokens.ts';

export interface TokenEstimate {
  input: number;
  /** Most output tokens the request can produce (its own cap, or the default reserve). */
  output: number;
}

/** Output tokens reserved for a request that sets no output cap. */
export const DEFAULT_OUTPUT_RESERVE = 1024;

/** Keys whose string values a model does not read as text (or reads as something else entirely). */
const NOT_TEXT = new Set([
  'model', 'encrypted_content', 'signature', 'image_url', 'file_data', 'file_id', 'data', 'url',
  'id', 'call_id', 'tool_call_id', 'tool_use_id', 'previous_response_id', 'prompt_cache_key',
  'safety_identifier', 'user', 'service_tier', 'media_type', 'detail', 'reasoning_effort',
]);

/** Framing tokens a chat format adds around the whole conversation. */
const PRIMING = 3;

const positiveInt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;

/** The output cap a request sets itself, in any of the three wire formats. */
export function requestedOutputCap(body: Record<string, unknown>): number | undefined {
  return positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens) ?? positiveInt(body.max_output_tokens);
}

/**
 * Input tokens of a parsed request body: every string a model reads, counted exactly, plus the
 * per-message framing. Walks iteratively, so a deeply nested body cannot overflow the stack.
 */
export function estimateInputTokens(body: unknown): number {
  let total = PRIMING;
  const top = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const stack: unknown[] = [];
  for (const [key, value] of Object.entries(top)) {
    if (NOT_TEXT.has(key)) continue;
    // Tool definitions are read as their JSON (property names included), as the upstreams count them.
    if ((key === 'tools' || key === 'functions') && value && typeof value === 'object') total += countTextTokens(JSON.stringify(value));
    else stack.push(value);
  }
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (!value.startsWith('data:')) total += countTextTokens(value);
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value && typeof value === 'object') {
      total += 1;
      for (const [key, child] of Object.entries(value)) if (!NOT_TEXT.has(key)) stack.push(child);
    }
  }
  const list = Array.isArray(top.messages) ? top.messages : Array.isArray(top.input) ? top.input : [];
  return total + list.length * ITEM_OVERHEAD;
}

export function estimateRequestTokens(body: Record<string, unknown>, defaultOutput = DEFAULT_OUTPUT_RESERVE): TokenEstimate {
  return { input: estimateInputTokens(body), output: requestedOutputCap(body) ?? defaultOutput };
}
