// What the compaction benchmark measures on one compacted session: retention of planted facts
// per category, secrets copied into text the compactor wrote, superseded and resolved facts
// presented as current, structural validity and budget compliance.
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { checkInvariants, countConversationTokens } from '../../src/compaction/index.ts';
import { itemText } from '../../src/compaction/tokens.ts';
import type { FactCategory, PlantedFact } from './generator.ts';

export interface QualityResult {
  retention: Partial<Record<FactCategory, number>>;
  /** Weighted retention over the categories that must survive. */
  score: number;
  secretsLeaked: number;
  supersededShownAsCurrent: number;
  resolvedShownAsCurrent: number;
  /** Files only viewed that the ledger lists as changed. */
  viewOnlyListedAsChanged: number;
  /** Source lines with error words (not errors) shown as the current error. */
  sourceLineShownAsError: number;
  invariantViolations: string[];
  withinBudget: boolean;
  tokensBefore: number;
  tokensAfter: number;
}

export const WEIGHTS: Partial<Record<FactCategory, number>> = { goal: 2, constraint: 3, file: 3, latest_error: 2, next_step: 2, identifier: 1, decision: 1 };

/** Texts the compactor wrote itself (items that are not unchanged originals), one per item. */
export function writtenTexts(before: Conversation, after: Conversation): string[] {
  const originals = new Set<Item>(before.items);
  const originalJson = new Set(before.items.map((i) => JSON.stringify(i)));
  return after.items.filter((i) => !originals.has(i) && !originalJson.has(JSON.stringify(i))).map(itemText);
}

export function writtenText(before: Conversation, after: Conversation): string {
  return writtenTexts(before, after).join('\n');
}

function section(text: string, heading: string): string {
  const start = text.indexOf(heading);
  if (start === -1) return '';
  const rest = text.slice(start + heading.length);
  const end = rest.search(/\n#{2,3} /);
  return end === -1 ? rest : rest.slice(0, end);
}

export function measureQuality(before: Conversation, after: Conversation, facts: PlantedFact[], budget: number): QualityResult {
  const all = after.items.map(itemText).join('\n') + (after.instructions ?? '');
  const texts = writtenTexts(before, after);
  const written = texts.join('\n');
  const inSection = (heading: string, needle: string) => texts.some((t) => section(t, heading).includes(needle));
  const found: Partial<Record<FactCategory, number[]>> = {};
  let secretsLeaked = 0;
  let supersededShownAsCurrent = 0;
  let resolvedShownAsCurrent = 0;
  let viewOnlyListedAsChanged = 0;
  let sourceLineShownAsError = 0;
  for (const fact of facts) {
    if (fact.category === 'secret') {
      if (written.includes(fact.text)) secretsLeaked++;
      continue;
    }
    if (fact.category === 'superseded') {
      if (inSection('### Identifiers', fact.text) || !all.includes(fact.current ?? '')) supersededShownAsCurrent++;
      continue;
    }
    if (fact.category === 'view_only') {
      if (inSection('### Files changed', fact.text)) viewOnlyListedAsChanged++;
      continue;
    }
    if (fact.category === 'source_error') {
      if (inSection('### Current error', fact.text)) sourceLineShownAsError++;
      continue;
    }
    if (fact.category === 'resolved_error') {
      if (inSection('### Current error', fact.text)) resolvedShownAsCurrent++;
      continue;
    }
    (found[fact.category] ??= []).push(all.includes(fact.text) ? 1 : 0);
  }
  const retention: Partial<Record<FactCategory, number>> = {};
  let weighted = 0;
  let weights = 0;
  for (const [category, hits] of Object.entries(found) as [FactCategory, number[]][]) {
    const share = hits.reduce((a, b) => a + b, 0) / hits.length;
    retention[category] = share;
    const w = WEIGHTS[category] ?? 1;
    weighted += share * w;
    weights += w;
  }
  const tokensAfter = countConversationTokens(after);
  return {
    retention,
    score: weights ? weighted / weights : 1,
    secretsLeaked,
    supersededShownAsCurrent,
    resolvedShownAsCurrent,
    viewOnlyListedAsChanged,
    sourceLineShownAsError,
    invariantViolations: checkInvariants(before, after),
    withinBudget: tokensAfter <= budget,
    tokensBefore: countConversationTokens(before),
    tokensAfter,
  };
}
