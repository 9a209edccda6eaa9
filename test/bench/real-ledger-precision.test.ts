// Ledger precision on every real session, not only the quick few: at each equal budget the ledger the
// engine writes lists no file as changed without a write and shows no current error that is not the
// error of a failed, unresolved command (facts derived from the raw files, without the engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRealSessions } from '../../bench/compaction/real-sessions.ts';
import { BUDGET_FRACTIONS, budgetFor } from '../../bench/compaction/real-eval.ts';
import { deriveFacts } from '../../bench/compaction/facts.ts';
import { judgeLedger } from '../../bench/compaction/ledger-check.ts';
import { compactConversation } from '../../src/compaction/index.ts';

test('every real session at 10/20/30/50%: no false "changed" file, no false current error', async () => {
  const falseChanged: string[] = [];
  const falseErrors: string[] = [];
  let ledgers = 0;
  for (const session of loadRealSessions()) {
    const facts = deriveFacts(session.raw);
    for (const fraction of BUDGET_FRACTIONS) {
      const budget = budgetFor(session.conversation, session.tokens, fraction);
      if (budget >= session.tokens) continue;
      const { conversation } = await compactConversation(session.conversation, { budgetTokens: budget });
      const verdict = judgeLedger(conversation, facts);
      if (!verdict.found) continue;
      ledgers++;
      falseChanged.push(...verdict.falseChanged.map((p) => `${session.id} at ${fraction * 100}%: ${p}`));
      if (verdict.falseError) falseErrors.push(`${session.id} at ${fraction * 100}%: ${verdict.falseError.slice(0, 120)}`);
    }
  }
  assert.ok(ledgers >= 60, `ledgers written: ${ledgers}`);
  assert.deepEqual(falseChanged, []);
  assert.deepEqual(falseErrors, []);
});
