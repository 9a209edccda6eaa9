// What a summarizer model writes is checked before it replaces history: headings written the way
// models really write them are accepted and made canonical, a minor missing section is marked,
// a copied credential is redacted, and a summary without its goal or next step is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSummary, SUMMARY_SECTIONS } from '../../src/compaction/summarizer.ts';

test('headings in other styles are accepted and rewritten to the canonical sections', () => {
  const raw = ['### Goals', 'Fix the parser.', '**Constraints:**', '- keep the API', 'Progress and Decisions:', '- tokenizer done', '## errors and fixes', '- none', '__Files__', '- src/parser.ts', '## Next Steps', '- run the tests'].join('\n');
  const { text, problem } = checkSummary(raw, 10_000);
  assert.equal(problem, undefined);
  for (const section of SUMMARY_SECTIONS) assert.ok(text!.includes(`${section}\n`), `${section} present`);
  assert.ok(text!.indexOf('## Goal') < text!.indexOf('## Next step'));
  assert.match(text!, /Fix the parser\./);
});

test('a minor section left out is marked; a copied credential is redacted', () => {
  const raw = ['## Goal', 'Deploy with key sk-proj-abcdefghijklmnopqrstuvwx.', '## Constraints', '- none', '## Progress and decisions', '- built', '## Next step', '- deploy'].join('\n');
  const { text } = checkSummary(raw, 10_000);
  assert.ok(text);
  assert.ok(!text.includes('sk-proj-abcdefghijklmnopqrstuvwx'), 'the credential is gone');
  assert.match(text, /## Errors and fixes\n- \(not stated\)/);
  assert.match(text, /## Files\n- \(not stated\)/);
});

test('without the goal or the next step, or with too few sections, or over the cap, it is refused', () => {
  const all = SUMMARY_SECTIONS.map((s) => `${s}\n- x`);
  assert.match(checkSummary(all.filter((s) => !s.startsWith('## Next step')).join('\n'), 10_000).problem ?? '', /lacks sections: ## Next step/);
  assert.match(checkSummary(all.filter((s) => !s.startsWith('## Goal')).join('\n'), 10_000).problem ?? '', /lacks sections: ## Goal/);
  assert.match(checkSummary([all[0], all[1], all[5]].join('\n'), 10_000).problem ?? '', /lacks sections/);
  assert.match(checkSummary(all.join('\n'), 20).problem ?? '', /longer than its cap/);
  assert.match(checkSummary('no sections here', 10_000).problem ?? '', /lacks sections/);
});
