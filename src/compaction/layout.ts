// What a compaction decided, by index into the original history, and how it is applied: items
// kept ahead of the summary, the summary text, masking stubs and normalized outputs. Small enough
// to cross a worker boundary and to keep as a plan; applying it is one cheap pass.
import type { Conversation, Item, MessageItem } from '../conversation/model.ts';
import { messageText } from '../conversation/model.ts';
import { withOutputText } from './masking.ts';
import { isRelaySummaryText, relaySummaryBody, SUMMARY_CONTINUATION_PREFIX, SUMMARY_MESSAGE_PREFIX } from '../conversation/relay-summary.ts';

export { SUMMARY_CONTINUATION_PREFIX, SUMMARY_MESSAGE_PREFIX } from '../conversation/relay-summary.ts';

export interface CompactionLayout {
  /** Items before this index are retired into the summary, except `keptHead` (0: nothing retired). */
  retireUntil: number;
  /** Indices before `retireUntil` kept verbatim ahead of the summary (system prompt, first task). */
  keptHead: number[];
  /** The summary message's text after `SUMMARY_MESSAGE_PREFIX`; null when nothing is retired. */
  summaryText: string | null;
  /**
   * Summary parts earlier events sent, oldest first, kept byte for byte ahead of `summaryText`
   * (which then says only what changed since): the prompt cache keeps reading through them.
   */
  earlierSummaries?: string[];
  /** Masked outputs at or after `retireUntil`: [index, stub text], ascending. */
  stubs: [number, string][];
  /** Outputs rewritten by normalization (L1) at or after `retireUntil`, or kept head items rewritten: [index, text], ascending. */
  normalized: [number, string][];
}

/** True for the relay's own summary messages (user messages opening with either summary prefix). */
export function isSummaryMessage(item: Item): item is MessageItem {
  if (item.kind !== 'message' || item.role !== 'user') return false;
  return isRelaySummaryText(messageText(item.content));
}

/** A summary message's own text, without the prefix that marks it. */
export const summaryBodyOf = (item: MessageItem) => relaySummaryBody(messageText(item.content));

export function summaryMessage(text: string, continuation = false): MessageItem {
  return { kind: 'message', role: 'user', content: [{ type: 'text', text: (continuation ? SUMMARY_CONTINUATION_PREFIX : SUMMARY_MESSAGE_PREFIX) + text }] };
}

/** The summary messages a layout puts after its kept head: the earlier parts, then the newest. */
export function summaryMessagesOf(layout: Pick<CompactionLayout, 'summaryText' | 'earlierSummaries'>): MessageItem[] {
  const parts = [...(layout.earlierSummaries ?? []), ...(layout.summaryText !== null ? [layout.summaryText] : [])];
  return parts.map((text, i) => summaryMessage(text, i > 0));
}

/** True when the layout changes nothing. */
export function isIdentityLayout(layout: CompactionLayout): boolean {
  return layout.retireUntil === 0 && layout.summaryText === null && !layout.earlierSummaries?.length && layout.stubs.length === 0 && layout.normalized.length === 0;
}

/** The conversation the layout describes; untouched items stay the same objects (with their wire `raw`). */
export function applyLayout(conversation: Conversation, layout: CompactionLayout): Conversation {
  if (isIdentityLayout(layout)) return conversation;
  const source = conversation.items;
  const replaced = new Map<number, string>(layout.normalized);
  for (const [index, stub] of layout.stubs) replaced.set(index, stub);
  const at = (index: number) => {
    const text = replaced.get(index);
    return text === undefined ? source[index] : withOutputText(source[index], text);
  };
  const items: Item[] = layout.keptHead.map(at);
  items.push(...summaryMessagesOf(layout));
  for (let i = layout.retireUntil; i < source.length; i++) items.push(at(i));
  return { ...conversation, items };
}
