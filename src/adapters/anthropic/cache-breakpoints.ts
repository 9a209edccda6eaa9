// Prompt-cache breakpoints for requests translated to Anthropic. OpenAI caches prefixes by itself;
// Anthropic caches only up to blocks marked `cache_control`, so a Codex or Chat session translated
// without marks would pay full price for its whole history on every turn. Four marks, the most
// Anthropic allows: the last tool, the system prompt, and the ends of the last two user turns,
// so each turn reads what the previous one wrote and writes the new end.
import type { JsonObject } from '../../json.ts';

const EPHEMERAL = { type: 'ephemeral' } as const;

/** Marks the last block of a message (turning string content into one text block). */
function markMessageEnd(message: { content: unknown }): boolean {
  if (typeof message.content === 'string') {
    if (!message.content) return false;
    message.content = [{ type: 'text', text: message.content, cache_control: EPHEMERAL }];
    return true;
  }
  if (!Array.isArray(message.content) || message.content.length === 0) return false;
  const last = message.content[message.content.length - 1];
  if (!last || typeof last !== 'object' || last.type === 'thinking' || last.type === 'redacted_thinking') return false;
  message.content[message.content.length - 1] = { ...last, cache_control: EPHEMERAL };
  return true;
}

/** Adds cache breakpoints to an Anthropic body translated from an OpenAI format (which never carries any). */
export function addCacheBreakpoints(body: JsonObject): void {
  if (Array.isArray(body.tools) && body.tools.length > 0) body.tools[body.tools.length - 1] = { ...body.tools[body.tools.length - 1], cache_control: EPHEMERAL };
  if (typeof body.system === 'string' && body.system) body.system = [{ type: 'text', text: body.system, cache_control: EPHEMERAL }];
  const messages: { role: string; content: unknown }[] = Array.isArray(body.messages) ? body.messages : [];
  let marked = 0;
  for (let i = messages.length - 1; i >= 0 && marked < 2; i--) {
    if (messages[i].role === 'user' && markMessageEnd(messages[i])) marked++;
  }
}
