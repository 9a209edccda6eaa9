// L0 accounting: exact o200k token counts, counted in pieces of at most 2,000 characters (whole
// string encoding is quadratic on long runs without spaces) and cached by content hash.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Conversation, Item, ToolDefinition } from '../conversation/model.ts';
import { messageText, toolOutputText } from '../conversation/model.ts';

const PIECE = 2000;
const CACHE_LIMIT = 200_000;
const cache = new Map<string, number>();
const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

/** Per-item framing tokens the chat formats add around each message. */
export const ITEM_OVERHEAD = 4;

/** Forgets every cached count (benchmarks measuring cold runs). */
export function clearTokenCache(): void {
  cache.clear();
}

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;
let countTokens: CountTokens | undefined;

/**
 * The o200k tables take tens of megabytes: they are loaded on the first count, not at start-up,
 * so a relay that never compacts never pays for them (require keeps the load synchronous).
 */
function encoder(): CountTokens {
  countTokens ??= (createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { countTokens: CountTokens }).countTokens;
  return countTokens;
}

function countUncached(text: string): number {
  const count = encoder();
  let total = 0;
  for (let i = 0; i < text.length; i += PIECE) total += count(text.slice(i, i + PIECE), NO_SPECIAL);
  return total;
}

export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length < 64) return countUncached(text);
  const key = hashText(text);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const count = countUncached(text);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, count);
  return count;
}

/** The text of an item as the model reads it (for counting and searching). */
export function itemText(item: Item): string {
  switch (item.kind) {
    case 'message':
      return messageText(item.content);
    case 'tool_call':
      return `${item.name} ${item.arguments}`;
    case 'tool_result':
      return toolOutputText(item.output);
    case 'reasoning':
      return [item.text ?? '', ...item.summary].join('\n') + (item.encryptedContent ? item.encryptedContent.slice(0, 400) : '');
    case 'compaction':
      return item.summaryText ?? (item.encryptedContent ? item.encryptedContent.slice(0, 400) : '');
    case 'compaction_trigger':
      return '';
    case 'opaque':
      return JSON.stringify(item.raw ?? '');
  }
}

export function countItemTokens(item: Item): number {
  return countTextTokens(itemText(item)) + ITEM_OVERHEAD;
}

export function countToolsTokens(tools: ToolDefinition[]): number {
  return tools.length === 0 ? 0 : countTextTokens(JSON.stringify(tools.map((t) => t.raw ?? { name: t.name, description: t.description, parameters: t.parameters })));
}

export function countConversationTokens(conversation: Conversation): number {
  let total = conversation.instructions ? countTextTokens(conversation.instructions) + ITEM_OVERHEAD : 0;
  for (const item of conversation.items) total += countItemTokens(item);
  return total + countToolsTokens(conversation.tools);
}
