// Taps token usage from answers relayed untouched, cheaply: SSE events as they stream by (chat
// usage chunks, Responses terminal events) and the `usage` object of a whole JSON body, found
// without parsing the rest. Each format's usage object is read by its adapter.
import type { Usage } from '../conversation/model.ts';
import { usageFromChat } from '../adapters/chat/usage.ts';
import { usageFromResponses } from '../adapters/responses/usage.ts';

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
