// The quick tier of the compaction benchmark: fails on a validity, determinism, secret-leak or
// retention regression of the ledger-only engine, and shows the metrics catch a lossy summarizer;
// on a few real sessions (one per agent), fails on a regression of refusals, validity, ledger
// precision or prefix stability, turn by turn through the running relay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSession } from '../../bench/compaction/generator.ts';
import { measureQuality } from '../../bench/compaction/metrics.ts';
import { ours, lossySummarizer } from '../../bench/compaction/baselines.ts';
import { compactConversation } from '../../src/compaction/index.ts';
import { encodeResponsesInput, decodeResponsesInput } from '../../src/adapters/responses/conversation.ts';
import { precisionOf, runReal, validityOf, type RealResults } from '../../bench/compaction/real-run.ts';
import { OURS } from '../../bench/compaction/real-eval.ts';

/**
 * The targets of issue 11, enforced with COMPACTION_STRICT=1 once the engine work lands (text-protocol
 * recognition, truthful ledger, plan cache): no refusal where the system prompt and newest turn fit,
 * a ledger that lists no false edited file and no false current error, at most one prefix break per
 * compaction event, never costlier than no compaction.
 */
export const STRICT = { maxRefusals: 0, maxFalseChanged: 0, maxFalseErrors: 0, maxBreaksPerEvent: 1, maxCostRatio: 1 };
/** What the engine does today on the quick sessions (measured 2026-11-29; prefix breaks and cost re-measured after the stable-prefix and cost fixes): doing worse is a regression. */
export const TODAY = { maxRefusals: 0, maxFalseChanged: 0, maxFalseErrors: 0, maxBreaksPerEvent: 1, maxCostRatio: 1 };
const strict = process.env.COMPACTION_STRICT === '1';
const limits = strict ? STRICT : TODAY;

const WINDOW = 32_000;
const BUDGET = Math.floor(WINDOW * 0.85);
const TARGET = Math.floor(WINDOW * 0.5);

for (const seed of [3, 4]) {
  test(`ledger-only compaction of a generated session keeps what the agent needs (seed ${seed})`, async () => {
    const session = generateSession({ seed, tokens: 90_000 });
    for (const conversation of [session.conversation, decodeResponsesInput(encodeResponsesInput(session.conversation))]) {
      const first = await compactConversation(conversation, { budgetTokens: BUDGET, targetTokens: TARGET });
      const second = await compactConversation(conversation, { budgetTokens: BUDGET, targetTokens: TARGET });
      assert.equal(JSON.stringify(first.conversation), JSON.stringify(second.conversation), 'deterministic');
      const q = measureQuality(conversation, first.conversation, session.facts, BUDGET);
      assert.deepEqual(q.invariantViolations, []);
      assert.ok(q.withinBudget, `${q.tokensAfter} tokens over the budget ${BUDGET}`);
      assert.equal(q.secretsLeaked, 0, 'no fake secret copied into compactor-written text');
      assert.equal(q.resolvedShownAsCurrent, 0, 'a fixed error is not presented as current');
      assert.ok((q.retention.constraint ?? 0) >= 0.95, `constraints ${q.retention.constraint}`);
      assert.ok((q.retention.file ?? 0) >= 0.95, `files changed ${q.retention.file}`);
      assert.ok((q.retention.latest_error ?? 0) >= 0.9, `latest error ${q.retention.latest_error}`);
      assert.ok((q.retention.next_step ?? 0) >= 0.9, `next step ${q.retention.next_step}`);
      assert.ok(q.tokensBefore / q.tokensAfter >= 4, `reduction ${q.tokensBefore / q.tokensAfter}`);
    }
  });
}

test('forced retirement: the ledger keeps facts that a lossy summary loses, and the metrics see it', async () => {
  const session = generateSession({ seed: 5, tokens: 90_000 });
  const noMasking = new Set<'L2'>(['L2']);
  const withLedger = await ours('ledger', noMasking).compact(session.conversation, BUDGET, TARGET);
  const lossy = await ours('lossy', new Set(['L2', 'L3']), lossySummarizer).compact(session.conversation, BUDGET, TARGET);
  const good = measureQuality(session.conversation, withLedger, session.facts, BUDGET);
  const bad = measureQuality(session.conversation, lossy, session.facts, BUDGET);
  assert.deepEqual(good.invariantViolations, []);
  assert.deepEqual(bad.invariantViolations, []);
  assert.ok((good.retention.file ?? 0) >= 0.95, `ledger keeps files changed (${good.retention.file})`);
  assert.ok(bad.score < good.score, `lossy score ${bad.score} must be below ledger score ${good.score}`);
  assert.ok((bad.retention.file ?? 1) < (good.retention.file ?? 0), 'files changed are lost without the ledger');
});

test(`real sessions, one per agent: valid, within budget, and no worse than today on refusals, ledger precision and prefix stability${strict ? ' (strict targets)' : ''}`, async () => {
  const real: RealResults = await runReal({ quick: true });
  assert.ok(real.sessions.length >= 5, `the quick sessions load (${real.sessions.map((s) => s.id).join(', ')})`);
  const v = validityOf(real.rows, OURS);
  assert.equal(v.invalid, 0, `structurally invalid outputs: ${v.examples.join('; ')}`);
  assert.equal(v.overBudget, 0, `outputs over budget: ${v.examples.join('; ')}`);
  assert.ok(v.refusals <= limits.maxRefusals, `refusals ${v.refusals} > ${limits.maxRefusals}: ${v.examples.join('; ')}`);
  const p = precisionOf(real.rows);
  assert.ok(p.falseChanged <= limits.maxFalseChanged, `files listed as changed without a write: ${p.changedExamples.join('; ')}`);
  assert.ok(p.falseErrors <= limits.maxFalseErrors, `false current errors ${p.falseErrors} > ${limits.maxFalseErrors}: ${p.errorExamples.join('; ')}`);
  for (const r of real.replays) {
    assert.deepEqual(r.errors, [], `${r.session}: every turn answered or refused, nothing else`);
    assert.ok(r.refusals - r.unfitRefusals <= limits.maxRefusals, `${r.session}: ${r.refusals} refused turns (${r.unfitRefusals} with a newest turn over the budget)`);
    assert.ok(r.compactedTurns > 0, `${r.session}: compaction triggered during the replay`);
    assert.ok(r.prefixBreaks <= limits.maxBreaksPerEvent * Math.max(1, r.events), `${r.session}: ${r.prefixBreaks} prefix breaks for ${r.events} compaction events`);
    if (!r.short) assert.ok(r.costRatio <= limits.maxCostRatio, `${r.session}: cost ${r.costRatio.toFixed(2)}× no compaction`);
  }
});
