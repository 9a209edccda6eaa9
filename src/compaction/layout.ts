// What a compaction decided, by index into the original history, and how it is applied: items
// kept ahead of the summary, the summary text, masking stubs and normalized outputs. Small enough
// to cross a worker boundary and to keep as a plan; applying it is one cheap pass.
import type { Conversation, Item, MessageItem } from '../conversation/model.ts';
import { messageText } from '../conversation/model.ts';
import { withOutputText } from './masking.ts';

/** The text that opens the relay's summary message (also recognised when expanding sealed items). */
export const SUMMARY_MESSAGE_PREFIX = 'The earlier part of this session was compacted by the gateway. Summary of the work so far, to continue from:\n\n';

export interface CompactionLayout {
  /** Items before this index are retired into the summary, except `keptHead` (0: nothing retired). */
  retireUntil: number;
  /** Indices before `retireUntil` kept verbatim ahead of the summary (system prompt, first task). */
  keptHead: number[];
  /** The summary message's text after `SUMMARY_MESSAGE_PREFIX`; null when nothing is retired. */
  summaryText: string | null;
  /** Masked outputs at or after `retireUntil`: [index, stub text], ascending. */
  stubs: [number, string][];
  /** Outputs rewritten by normalization (L1) at or after `retireUntil`: [index, text], ascending. */
  normalized: [number, string][];
  /** Kept head messages whose text is replaced (a first task cut head and tail to fit): [index, text]. */
  headTexts?: [number, string][];
}

/** True for the relay's own summary message (a user message opening with `SUMMARY_MESSAGE_PREFIX`). */
export function isSummaryMessage(item: Item): item is MessageItem {
  return item.kind === 'message' && item.role === 'user' && messageText(item.content).startsWith(SUMMARY_MESSAGE_PREFIX);
}

export function summaryMessage(text: string): MessageItem {
  return { kind: 'message', role: 'user', content: [{ type: 'text', text: SUMMARY_MESSAGE_PREFIX + text }] };
}

/** True when the layout changes nothing. */
export function isIdentityLayout(layout: CompactionLayout): boolean {
  return layout.retireUntil === 0 && layout.summaryText === null && layout.stubs.length === 0 && layout.normalized.length === 0 && !layout.headTexts?.length;
}

/** The conversation the layout describes; untouched items stay the same objects (with their wire `raw`). */
export function applyLayout(conversation: Conversation, layout: CompactionLayout): Conversation {
  if (isIdentityLayout(layout)) return conversation;
  const source = conversation.items;
  const replaced = new Map<number, string>(layout.normalized);
  for (const [index, stub] of layout.stubs) replaced.set(index, stub);
  const headTexts = new Map<number, string>(layout.headTexts ?? []);
  const items: Item[] = layout.keptHead.map((index) => {
    const text = headTexts.get(index);
    const item = source[index];
    return text === undefined || item.kind !== 'message' ? item : { kind: 'message', role: item.role, content: [{ type: 'text', text }], ...(item.id ? { id: item.id } : {}) };
  });
  if (layout.summaryText !== null) items.push(summaryMessage(layout.summaryText));
  for (let i = layout.retireUntil; i < source.length; i++) {
    const text = replaced.get(i);
    items.push(text === undefined ? source[i] : withOutputText(source[i], text));
  }
  return { ...conversation, items };
}
