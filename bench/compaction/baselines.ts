// The methods compared side by side: no compaction, oldest-first truncation, middle-out,
// Codex-style handoff without a model, last-N observation masking every turn, ours, ours with
// one layer removed, and ours with a deliberately lossy summarizer and neither masking nor ledger (proof the metrics can fail).
import type { Conversation, Item, MessageItem } from '../../src/conversation/model.ts';
import { messageText } from '../../src/conversation/model.ts';
import { compactStably } from '../../src/compaction-api/stable-compaction.ts';
import { MemoryPlanStore } from '../../src/state/plan-store.ts';
import { buildHandoff, countConversationTokens, countItemTokens, safeCutPoints, SUMMARY_SECTIONS, type Layer, type SummarizeCall } from '../../src/compaction/index.ts';
import { maskObservations } from '../../src/compaction/masking.ts';

export interface Method {
  name: string;
  /** True when the method rewrites the prefix on every request by design. */
  everyTurn?: boolean;
  /**
   * For methods whose summary needs a model: the summarizer reads this share of the history at
   * each compaction event (1 = all of it), and writes `summaryOutputTokens`.
   */
  summarizerReads?: number;
  summaryOutputTokens?: number;
  compact(conversation: Conversation, budget: number, target: number): Promise<Conversation>;
}

const pinned = (i: Item) => i.kind === 'message' && (i.role === 'system' || i.role === 'developer');

function fits(c: Conversation, budget: number) {
  return countConversationTokens(c) <= budget;
}

/** The first point where `ok` holds, for a predicate that stays true once true (binary search). */
function firstFitting(points: number[], ok: (p: number) => boolean): number | undefined {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(points[mid])) hi = mid;
    else lo = mid + 1;
  }
  return points[lo];
}

/** Drops the oldest history (after the system prompt) at safe cut points until it fits. */
export const truncation: Method = {
  name: 'truncate oldest',
  async compact(c, budget, target) {
    if (fits(c, budget)) return c;
    const head = c.items.filter(pinned);
    const rest = c.items.filter((i) => !pinned(i));
    const at = (cut: number) => ({ ...c, items: [...head, ...rest.slice(cut)] });
    const cut = firstFitting(safeCutPoints(rest), (p) => fits(at(p), target));
    return cut === undefined ? { ...c, items: head } : at(cut);
  },
};

/** Keeps the start and the end, removes the middle (OpenRouter's middle-out, at safe points). */
export const middleOut: Method = {
  name: 'middle-out',
  async compact(c, budget, target) {
    if (fits(c, budget)) return c;
    const cuts = safeCutPoints(c.items);
    const prefix = [0];
    for (const item of c.items) prefix.push(prefix[prefix.length - 1] + countItemTokens(item));
    const headEnd = [...cuts].reverse().find((p) => prefix[p] <= target / 2) ?? cuts[0];
    const at = (start: number) => ({ ...c, items: [...c.items.slice(0, headEnd), ...c.items.slice(start)] });
    const start = firstFitting(cuts.filter((p) => p > headEnd), (p) => fits(at(p), target));
    return start === undefined ? { ...c, items: c.items.filter(pinned) } : at(start);
  },
};

/** Codex's shape without a model: recent user messages + the last assistant message standing in for the summary; its cost counts the summary call Codex would make (the whole history in, 2k tokens out). */
export const codexStyle: Method = {
  name: 'codex-style (no model)',
  summarizerReads: 1,
  summaryOutputTokens: 2000,
  async compact(c, budget, target) {
    if (fits(c, budget)) return c;
    const users = c.items.filter((i): i is MessageItem => i.kind === 'message' && i.role === 'user');
    const lastAssistant = [...c.items].reverse().find((i): i is MessageItem => i.kind === 'message' && i.role === 'assistant');
    const kept: Item[] = [];
    let used = 0;
    for (let i = users.length - 1; i >= 0; i--) {
      used += countItemTokens(users[i]);
      if (used > target * 0.8) break;
      kept.unshift(users[i]);
    }
    const summary: Item = { kind: 'message', role: 'user', content: [{ type: 'text', text: `Summary: ${lastAssistant ? messageText(lastAssistant.content) : ''}` }] };
    return { ...c, items: [...c.items.filter(pinned), ...kept, summary] };
  },
};

/** SWE-agent style: every request, all tool outputs but the last N are masked. */
export function lastNMasking(n: number): Method {
  return {
    name: `mask all but last ${n} outputs, every turn`,
    everyTurn: true,
    async compact(c) {
      const results = c.items.map((item, index) => (item.kind === 'tool_result' ? index : -1)).filter((i) => i >= 0);
      if (results.length <= n) return c;
      return { ...c, items: maskObservations(c.items, results[results.length - n]).items };
    },
  };
}

/**
 * The relay's engine as the relay runs it: each compaction event's plan is kept (in memory, as a
 * single relay keeps it per tenant) and reused while the history only grows, so a session replayed
 * request by request keeps its compacted prefix between events.
 */
export function ours(name = 'compact-relay (ledger)', disabledLayers?: Set<Layer>, summarizer?: SummarizeCall): Method {
  const plans = new MemoryPlanStore();
  return {
    name,
    async compact(c, budget, target) {
      const result = await compactStably(c, { budgetTokens: budget, targetTokens: target, disabledLayers, strategy: summarizer ? 'model' : 'ledger', summarizer }, { tenant: 'bench', plans });
      return result.conversation;
    },
  };
}

/** A summarizer that keeps the section headings and loses everything else. */
export const lossySummarizer: SummarizeCall = async () => ({
  text: SUMMARY_SECTIONS.map((s) => `${s}\n(nothing recorded)`).join('\n'),
  model: 'lossy-test-summarizer',
  inputTokens: 100,
  outputTokens: 30,
});

export const noCompaction: Method = { name: 'no compaction', async compact(c) { return c; } };

/** Handoff as Codex gets it from the relay (user messages + ledger), for the Responses-shape check. */
export async function handoffText(c: Conversation): Promise<string> {
  const h = await buildHandoff(c, { budgetTokens: 1 });
  return [...h.recentUserMessages.map((m) => messageText(m.content)), h.summaryText].join('\n');
}

export function allMethods(): Method[] {
  return [
    noCompaction,
    truncation,
    middleOut,
    codexStyle,
    lastNMasking(10),
    ours(),
    ours('ours without L1 (normalize)', new Set<Layer>(['L1'])),
    ours('ours without L2 (masking)', new Set<Layer>(['L2'])),
    ours('ours without L3 (ledger)', new Set<Layer>(['L3'])),
    ours('ours, lossy summarizer, no ledger', new Set<Layer>(['L2', 'L3']), lossySummarizer),
  ];
}

/** Replaces an output with a short stub (the baseline's own masking, independent of the engine's). */
function stubbed(item: Item): Item {
  if (item.kind === 'tool_result') return { kind: 'tool_result', callId: item.callId, toolKind: item.toolKind, output: '[output hidden]' };
  if (item.kind === 'message' && item.observation) return { kind: 'message', role: item.role, content: [{ type: 'text', text: '[output hidden]' }], observation: true };
  return item;
}

/** SWE-agent-style masking of all but the last `keep` outputs, then the oldest turns dropped until it fits. */
export function maskingPlusDrop(keep = 5): Method {
  return {
    name: 'masking + drop',
    async compact(c, budget, target) {
      if (fits(c, budget)) return c;
      const outputs = c.items.map((item, i) => (item.kind === 'tool_result' || (item.kind === 'message' && item.observation) ? i : -1)).filter((i) => i >= 0);
      const from = outputs.length > keep ? outputs[outputs.length - keep] : 0;
      const masked = { ...c, items: c.items.map((item, i) => (i < from ? stubbed(item) : item)) };
      if (fits(masked, target)) return masked;
      return truncation.compact(masked, 0, target);
    },
  };
}

export const keepLast: Method = { ...truncation, name: 'keep-last' };
