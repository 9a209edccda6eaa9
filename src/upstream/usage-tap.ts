// Reads token usage out of upstream answers in either wire format: whole JSON bodies, and SSE
// events tapped as they stream by (chat usage chunks, Responses `response.completed`); every
// count is validated (whole, 0 to MAX_TOKEN_COUNT) before the relay uses it.
import type { Usage } from '../conversation/model.ts';

/** The largest token count one answer may report; a larger one is an upstream fault, recorded as this. */
export const MAX_TOKEN_COUNT = 100_000_000;

/**
 * A token count as the relay records it: a whole number from 0 to MAX_TOKEN_COUNT. Negative,
 * fractional, non-finite or non-numeric values from an upstream never reach limits, metrics or the store.
 */
export const tokenCount = (value: unknown): number =>
  typeof value === 'number' && value > 0 ? (value >= MAX_TOKEN_COUNT ? MAX_TOKEN_COUNT : Math.round(value)) : 0;
const num = tokenCount;

/** Where each wire format keeps its token counts. */
const CHAT_FIELDS = { input: 'prompt_tokens', output: 'completion_tokens', inputDetails: 'prompt_tokens_details', outputDetails: 'completion_tokens_details' } as const;
const RESPONSES_FIELDS = { input: 'input_tokens', output: 'output_tokens', inputDetails: 'input_tokens_details', outputDetails: 'output_tokens_details' } as const;

function usageFrom(usage: any, fields: typeof CHAT_FIELDS | typeof RESPONSES_FIELDS): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const inputTokens = num(usage[fields.input]);
  const outputTokens = num(usage[fields.output]);
  return {
    inputTokens,
    outputTokens,
    totalTokens: num(usage.total_tokens) || inputTokens + outputTokens,
    cachedTokens: num(usage[fields.inputDetails]?.cached_tokens),
    reasoningTokens: num(usage[fields.outputDetails]?.reasoning_tokens),
  };
}

/** Chat Completions `usage` → neutral usage. */
export const usageFromChat = (usage: any): Usage | undefined => usageFrom(usage, CHAT_FIELDS);

/** Responses `usage` → neutral usage. */
export const usageFromResponses = (usage: any): Usage | undefined => usageFrom(usage, RESPONSES_FIELDS);

/** Usage from a chat stream event's data, or undefined; cheap for the many chunks without usage. */
export function usageFromChatEvent(data: string): Usage | undefined {
  if (!data.includes('"usage":{')) return undefined;
  try {
    return usageFromChat(JSON.parse(data).usage);
  } catch {
    return undefined;
  }
}

const TERMINAL_RESPONSE_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Usage from a Responses stream event, or undefined; only terminal events are parsed. */
export function usageFromResponsesEvent(event: string | undefined, data: string): Usage | undefined {
  if (event !== undefined && !TERMINAL_RESPONSE_EVENTS.has(event)) return undefined;
  if (event === undefined && !data.includes('"response.')) return undefined;
  try {
    const parsed = JSON.parse(data);
    if (!TERMINAL_RESPONSE_EVENTS.has(parsed.type)) return undefined;
    return usageFromResponses(parsed.response?.usage);
  } catch {
    return undefined;
  }
}

/** True for a chat chunk that carries only usage (`choices: []`), the one include_usage adds. */
export function isUsageOnlyChatChunk(data: string): boolean {
  if (!data.includes('"usage":{')) return false;
  try {
    const parsed = JSON.parse(data);
    return Array.isArray(parsed.choices) && parsed.choices.length === 0 && !!parsed.usage;
  } catch {
    return false;
  }
}

/**
 * Anthropic `usage` → neutral usage. Anthropic counts cache reads and cache writes apart from
 * `input_tokens`; OpenAI's input count includes them, so they are added back and reads reported as cached.
 */
export function usageFromAnthropic(usage: any): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const cachedTokens = num(usage.cache_read_input_tokens);
  const inputTokens = num(usage.input_tokens) + cachedTokens + num(usage.cache_creation_input_tokens);
  const outputTokens = num(usage.output_tokens);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens, reasoningTokens: 0 };
}

/** Merges the usage of an Anthropic stream: message_start carries the input, message_delta the final output count. */
export function mergeAnthropicUsage(start: any, delta: any): Usage | undefined {
  if (!start && !delta) return undefined;
  return usageFromAnthropic({ ...(start ?? {}), ...Object.fromEntries(Object.entries(delta ?? {}).filter(([, v]) => v !== null && v !== undefined)) });
}

/**
 * The text of the top-level `usage` object of a whole JSON answer, found without parsing the rest:
 * every format puts it after the content, and a `"usage":` inside a string would be escaped, so
 * the last occurrence is the answer's own. Undefined when there is none or it cannot be delimited.
 */
export function usageObjectText(body: string): string | undefined {
  const key = body.lastIndexOf('"usage":');
  if (key === -1) return undefined;
  let i = key + 8;
  while (body.charCodeAt(i) === 32 || body.charCodeAt(i) === 10 || body.charCodeAt(i) === 13 || body.charCodeAt(i) === 9) i++;
  if (body[i] !== '{') return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < body.length; j++) {
    const c = body[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return body.slice(i, j + 1);
  }
  return undefined;
}
