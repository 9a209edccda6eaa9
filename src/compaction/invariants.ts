// The hard invariants of compaction, checked on any before/after pair: tool calls and results
// paired (with the reasoning that produced a call), ids unique, arguments still JSON, system
// prompt and tools untouched, budget met.
import type { Conversation, Item } from '../conversation/model.ts';
import { countConversationTokens } from './tokens.ts';

const isPinned = (item: Item) => item.kind === 'message' && (item.role === 'system' || item.role === 'developer');

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function reasoningKey(item: Item): string {
  if (item.kind !== 'reasoning') return '';
  return item.id ?? JSON.stringify([item.text ?? '', item.summary, item.encryptedContent ?? '']);
}

/** Reasoning items directly followed by a tool call (the reasoning that produced that call). */
function reasoningTies(items: Item[]): [Item, string][] {
  const ties: [Item, string][] = [];
  items.forEach((item, i) => {
    const next = items[i + 1];
    if (item.kind === 'reasoning' && next?.kind === 'tool_call') ties.push([item, next.callId]);
  });
  return ties;
}

/** Returns a list of violations; empty means the compacted conversation is sound. */
export function checkInvariants(before: Conversation, after: Conversation, budgetTokens?: number): string[] {
  const problems: string[] = [];
  const calls = new Map<string, number>();
  const answered = new Set<string>();
  after.items.forEach((item, index) => {
    if (item.kind === 'tool_call') calls.set(item.callId, index);
    if (item.kind === 'tool_result') {
      const at = calls.get(item.callId);
      if (at === undefined) problems.push(`tool result ${item.callId} has no earlier call`);
      answered.add(item.callId);
    }
  });
  const answeredBefore = new Set(before.items.filter((i) => i.kind === 'tool_result').map((i) => (i as { callId: string }).callId));
  for (const callId of calls.keys()) {
    if (answeredBefore.has(callId) && !answered.has(callId)) problems.push(`tool call ${callId} lost its result`);
  }
  const ids = new Set<string>();
  for (const item of after.items) {
    if (!item.id) continue;
    if (ids.has(item.id)) problems.push(`duplicate item id ${item.id}`);
    ids.add(item.id);
  }
  const beforeArgs = new Map(before.items.filter((i) => i.kind === 'tool_call').map((i) => [(i as { callId: string }).callId, (i as { arguments: string }).arguments]));
  for (const item of after.items) {
    if (item.kind === 'tool_call' && item.toolKind === 'function' && parses(beforeArgs.get(item.callId) ?? '{}') && !parses(item.arguments)) {
      problems.push(`arguments of ${item.callId} no longer parse as JSON`);
    }
  }
  const callIds = after.items.filter((i) => i.kind === 'tool_call').map((i) => (i as { callId: string }).callId);
  const callIdsBefore = before.items.filter((i) => i.kind === 'tool_call').map((i) => (i as { callId: string }).callId);
  if (new Set(callIds).size < callIds.length && new Set(callIdsBefore).size === callIdsBefore.length) problems.push('duplicate tool call ids');
  const keptReasoning = new Set(after.items.filter((i) => i.kind === 'reasoning').map(reasoningKey));
  const afterCalls = new Set(callIds);
  for (const [reasoning, callId] of reasoningTies(before.items)) {
    const reasoningKept = keptReasoning.has(reasoningKey(reasoning));
    if (reasoningKept !== afterCalls.has(callId)) problems.push(`reasoning tied to ${callId} was ${reasoningKept ? 'kept without its call' : 'dropped while its call was kept'}`);
  }
  const pinnedBefore = JSON.stringify(before.items.filter(isPinned).map((i) => i.raw ?? i));
  const pinnedAfter = JSON.stringify(after.items.filter(isPinned).map((i) => i.raw ?? i));
  if (pinnedBefore !== pinnedAfter) problems.push('system or developer messages were changed');
  if ((before.instructions ?? '') !== (after.instructions ?? '')) problems.push('instructions were changed');
  if (JSON.stringify(before.tools) !== JSON.stringify(after.tools)) problems.push('tool definitions were changed');
  if (budgetTokens !== undefined) {
    const tokens = countConversationTokens(after);
    if (tokens > budgetTokens) problems.push(`over budget: ${tokens} > ${budgetTokens} tokens`);
  }
  return problems;
}
