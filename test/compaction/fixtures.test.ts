// The engine on every recorded trajectory: loads, compacts within budget at several budgets,
// keeps the hard invariants, is deterministic, and leaves an already compacted result alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { encodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import { checkInvariants, compactConversation, countConversationTokens } from '../../src/compaction/index.ts';

const ROOT = new URL('../fixtures/trajectories/', import.meta.url).pathname;
const files = readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(traj|json|jsonl)$/.test(f))
  .map((f) => join(ROOT, f));

test('every recorded trajectory is found and loads with content', () => {
  assert.ok(files.length >= 25, `expected the shared trajectories, found ${files.length}`);
  for (const file of files) {
    const session = loadSessionFile(readFileSync(file, 'utf8'), file);
    assert.ok(session.conversation.items.length > 0, file);
  }
});

for (const file of files) {
  const name = file.slice(ROOT.length);
  test(`compaction keeps the invariants: ${name}`, async () => {
    const { conversation } = loadSessionFile(readFileSync(file, 'utf8'), file);
    const tokens = countConversationTokens(conversation);
    const pinned = countConversationTokens({ ...conversation, items: conversation.items.filter((i) => i.kind === 'message' && (i.role === 'system' || i.role === 'developer')) });
    for (const fraction of [0.8, 0.5, 0.3]) {
      const budget = Math.max(Math.floor(tokens * fraction), pinned + 1500);
      if (budget >= tokens) continue;
      let result;
      try {
        result = await compactConversation(conversation, { budgetTokens: budget });
      } catch (err: any) {
        assert.equal(err.code, 'context_budget_unreachable', `${name} at ${budget}: ${err.message}`);
        continue;
      }
      assert.deepEqual(checkInvariants(conversation, result.conversation, budget), [], `${name} at ${budget}`);
      assert.ok(result.report.tokensAfter <= budget);
      const again = await compactConversation(conversation, { budgetTokens: budget });
      assert.equal(JSON.stringify(encodeChatMessages(again.conversation)), JSON.stringify(encodeChatMessages(result.conversation)), 'deterministic');
      const twice = await compactConversation(result.conversation, { budgetTokens: budget });
      assert.equal(twice.conversation, result.conversation, 'a compacted conversation under budget is returned unchanged');
    }
  });
}
