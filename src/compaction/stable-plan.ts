// A stable prefix for clients that resend their whole history: a compaction event's decisions
// (where the history was retired, the summary text, the masking stubs) are kept as a plan keyed by
// a digest of the part it replaced, and reapplied to every later request that extends that part,
// so the compacted prefix stays byte-identical and only the new tail is appended. A new event
// happens only when the reapplied result passes the trigger again (hysteresis: trigger high,
// target low); it keeps the stubs already emitted. Synchronous and without I/O: it runs in a worker.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { Conversation, Item } from '../conversation/model.ts';
import { countConversationTokens, countItemTokens } from './tokens.ts';
import { normalizeToolOutput } from './normalize.ts';
import { outputTextOf, withOutputText } from './masking.ts';
import { summaryMessagesOf } from './layout.ts';
import { planCompaction, type CompactionReport, type EarlierEvent, type PlannedCompaction, type PlanningOptions } from './engine.ts';
import { countVisits } from './work-meter.ts';

export interface CompactionPlan {
  version: 1;
  /** Random: tells apart two plans made for the same history by two instances at once. */
  id: string;
  /** Original items the plan decided about: the history at its event. */
  coversItems: number;
  /** Digest of the settings, instructions, tools and those items: the part the plan replaces. */
  prefixDigest: string;
  /** Tokens of that part before compaction (so a reuse need not count it again). */
  coversTokens: number;
  retireUntil: number;
  keptHead: number[];
  summaryText: string | null;
  /** Summary parts earlier events sent, kept ahead of `summaryText` byte for byte. */
  earlierSummaries?: string[];
  /** The model's part of the summary, if a model wrote one: the next event's model summary starts from it. */
  modelSummary?: string;
  /** Kept head items the event rewrote, by index (reapplied as they were). */
  headTexts?: [number, string][];
  /** Masking stubs by index, ascending; never rewritten while the plan or its successors stand. */
  stubs: [number, string][];
  /** What the event did, reported again on every reuse (with no summarizer cost). */
  report: Pick<CompactionReport, 'layersApplied' | 'itemsRetired' | 'droppedItems' | 'ledger' | 'summary'>;
}

export interface StableStep {
  planned: PlannedCompaction;
  /** A plan made by this request's event (its summary filled in once a model has answered); to be stored. */
  newPlan?: CompactionPlan;
  /** True when an earlier plan was reapplied and no event happened. */
  reused: boolean;
}

/** The settings a plan is valid for: the same history compacted under other settings gets its own plan. */
function settingsKey(options: PlanningOptions): string {
  const { disabledLayers, hasSummarizer, ...rest } = options;
  return JSON.stringify({ ...rest, disabledLayers: [...(disabledLayers ?? [])].sort(), hasSummarizer });
}

function fingerprint(item: Item): string {
  const { raw: _raw, rawFormat: _format, ...fields } = item;
  return JSON.stringify(fields);
}

function seededHash(conversation: Conversation, options: PlanningOptions): Hash {
  const hash = createHash('sha256');
  hash.update(settingsKey(options)).update('\u0000').update(conversation.instructions ?? '').update('\u0000');
  hash.update(JSON.stringify(conversation.tools.map((t) => t.raw ?? { name: t.name, description: t.description, parameters: t.parameters }))).update('\u0000');
  return hash;
}

/**
 * Items that name a session: enough to tell apart sessions that open alike (a text-protocol agent's
 * system prompt and demonstration come before the task), few enough to read on the event loop.
 */
const ANCHOR_ITEMS = 8;

/**
 * Names the session cheaply (settings, instructions, tools and its first items), so the plans
 * that may apply are found with one lookup before the history is digested in full.
 */
export function sessionAnchor(conversation: Conversation, options: PlanningOptions): string {
  const hash = seededHash(conversation, options);
  for (const item of conversation.items.slice(0, ANCHOR_ITEMS)) hash.update(fingerprint(item)).update('\u0000');
  return hash.digest('base64url');
}

/** Digests of the first `k` items (with settings, instructions and tools) for each requested `k`. */
export function prefixDigests(conversation: Conversation, options: PlanningOptions, lengths: number[]): Map<number, string> {
  const wanted = new Set(lengths.filter((k) => k >= 0 && k <= conversation.items.length));
  const out = new Map<number, string>();
  if (wanted.size === 0) return out;
  const hash = seededHash(conversation, options);
  const last = Math.max(...wanted);
  if (wanted.has(0)) out.set(0, hash.copy().digest('base64url'));
  countVisits(last);
  for (let i = 0; i < last; i++) {
    hash.update(fingerprint(conversation.items[i])).update('\u0000');
    if (wanted.has(i + 1)) out.set(i + 1, hash.copy().digest('base64url'));
  }
  return out;
}

/** The plan among `plans` whose replaced part this history starts with (the longest one). */
export function matchingPlan(conversation: Conversation, options: PlanningOptions, plans: CompactionPlan[]): CompactionPlan | undefined {
  const usable = plans.filter((p) => p.version === 1 && p.coversItems <= conversation.items.length);
  if (usable.length === 0) return undefined;
  const digests = prefixDigests(conversation, options, usable.map((p) => p.coversItems));
  return usable.filter((p) => digests.get(p.coversItems) === p.prefixDigest).sort((a, b) => b.coversItems - a.coversItems)[0];
}

const triggerOf = (options: PlanningOptions) => {
  const soft = options.triggerSoftFraction;
  return Math.floor(options.budgetTokens * (soft !== undefined && Number.isFinite(soft) && soft > 0 ? Math.min(soft, 1) : 1));
};

/** The plan reapplied to a longer history: its decisions as they were, normalization on the new items. */
function reapply(conversation: Conversation, options: PlanningOptions, plan: CompactionPlan): PlannedCompaction {
  const started = performance.now();
  const source = conversation.items;
  countVisits(source.length - plan.retireUntil);
  const stubs = new Map(plan.stubs);
  const normalized: [number, string][] = [];
  const l1 = !options.disabledLayers?.has('L1');
  const capTokens = options.perOutputCapTokens ?? 8000;
  let outputsTruncated = 0;
  const headTexts = new Map(plan.headTexts ?? []);
  const head = plan.keptHead.map((i) => (headTexts.has(i) ? withOutputText(source[i], headTexts.get(i) as string) : source[i]));
  let tokensAfter = countConversationTokens({ ...conversation, items: head });
  for (const message of summaryMessagesOf(plan)) tokensAfter += countItemTokens(message);
  for (let i = plan.retireUntil; i < source.length; i++) {
    const item = source[i];
    const stub = stubs.get(i);
    if (stub !== undefined) {
      tokensAfter += countItemTokens(withOutputText(item, stub));
      continue;
    }
    const normalizable = l1 && (item.kind === 'tool_result' || (item.kind === 'message' && item.observation === true && item.content.every((p) => p.type === 'text')));
    const text = normalizable ? outputTextOf(item) : undefined;
    const replaced = text === undefined ? text : normalizeToolOutput(text, capTokens);
    if (replaced !== undefined && replaced !== text) {
      normalized.push([i, replaced]);
      if (replaced.includes('lines cut by the gateway')) outputsTruncated++;
      tokensAfter += countItemTokens(withOutputText(item, replaced));
    } else {
      tokensAfter += countItemTokens(item);
    }
  }
  let tokensBefore = plan.coversTokens;
  for (let i = plan.coversItems; i < source.length; i++) tokensBefore += countItemTokens(source[i]);
  const layersApplied = [...plan.report.layersApplied];
  if (normalized.length > 0 && !layersApplied.includes('L1')) layersApplied.unshift('L1');
  const summary = plan.report.summary ? { ...plan.report.summary, inputTokens: 0, outputTokens: 0, cacheHit: true } : null;
  return {
    layout: { retireUntil: plan.retireUntil, keptHead: plan.keptHead, summaryText: plan.summaryText, earlierSummaries: plan.earlierSummaries, stubs: plan.stubs, normalized: [...(plan.headTexts ?? []), ...normalized] },
    report: {
      ...plan.report,
      summary,
      layersApplied,
      tokensBefore,
      tokensAfter,
      itemsMasked: plan.stubs.length,
      outputsTruncated,
      timings: { reuse: Math.round((performance.now() - started) * 100) / 100 },
    },
  };
}

function planOf(conversation: Conversation, options: PlanningOptions, planned: PlannedCompaction): CompactionPlan | undefined {
  const { layout, report } = planned;
  // Even normalization alone is an event: it rewrites outputs the client's earlier requests carried as they were.
  if (!layout) return undefined;
  const n = conversation.items.length;
  return {
    version: 1,
    id: randomUUID(),
    coversItems: n,
    prefixDigest: prefixDigests(conversation, options, [n]).get(n) as string,
    coversTokens: report.tokensBefore,
    retireUntil: layout.retireUntil,
    keptHead: layout.keptHead,
    summaryText: layout.summaryText,
    ...(layout.earlierSummaries?.length ? { earlierSummaries: layout.earlierSummaries } : {}),
    stubs: layout.stubs,
    headTexts: layout.normalized.filter(([index]) => index < layout.retireUntil),
    report: { layersApplied: report.layersApplied, itemsRetired: report.itemsRetired, droppedItems: report.droppedItems, ledger: report.ledger, summary: report.summary },
  };
}

/**
 * One request's compaction against the plans recorded for its session: the plan this history
 * extends is reapplied while the result stays at or under the trigger; otherwise an event decides
 * anew (keeping that plan's stubs) and its plan is returned to be recorded.
 */
/** False when an item added since the plan answers a tool call the plan retired (the plan would orphan it). */
function keepsPairsWhole(conversation: Conversation, plan: CompactionPlan): boolean {
  const kept = new Set(plan.keptHead);
  const retiredCalls = new Set<string>();
  for (let i = 0; i < plan.retireUntil; i++) {
    const item = conversation.items[i];
    if (item.kind === 'tool_call' && !kept.has(i)) retiredCalls.add(item.callId);
  }
  if (retiredCalls.size === 0) return true;
  for (let i = plan.coversItems; i < conversation.items.length; i++) {
    const item = conversation.items[i];
    if (item.kind === 'tool_result' && retiredCalls.has(item.callId)) return false;
  }
  return true;
}

/** The plan's ledger summary as a later event may extend it: not a model's, and over a head the event left as it was. */
function ledgerSummaryOf(plan: CompactionPlan): EarlierEvent['summary'] {
  if (plan.summaryText === null || plan.modelSummary || !plan.report.ledger || plan.headTexts?.length) return undefined;
  return { parts: [...(plan.earlierSummaries ?? []), plan.summaryText], ledger: plan.report.ledger, retiredUntil: plan.retireUntil, keptHead: plan.keptHead };
}

export function stableCompactionStep(conversation: Conversation, options: PlanningOptions, plans: CompactionPlan[]): StableStep {
  const plan = matchingPlan(conversation, options, plans);
  if (plan && keepsPairsWhole(conversation, plan)) {
    const reused = reapply(conversation, options, plan);
    if (reused.report.tokensAfter <= triggerOf(options)) return { planned: reused, reused: true };
  }
  const earlier: EarlierEvent = plan ? { stubs: new Map(plan.stubs), modelSummary: plan.modelSummary ? { text: plan.modelSummary, retiredUntil: plan.retireUntil } : undefined, summary: ledgerSummaryOf(plan) } : {};
  const planned = planCompaction(conversation, options, earlier);
  return { planned, newPlan: planOf(conversation, options, planned), reused: false };
}

/** The plan with the model's summary in place, once a pending summary has been settled. */
export function withSettledSummary(plan: CompactionPlan, settled: PlannedCompaction): CompactionPlan {
  if (!settled.layout) return plan;
  const { report } = settled;
  return { ...plan, summaryText: settled.layout.summaryText, modelSummary: settled.modelSummary, report: { ...plan.report, layersApplied: report.layersApplied, summary: report.summary } };
}
