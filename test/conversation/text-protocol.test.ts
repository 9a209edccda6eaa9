// Text-protocol agents in live traffic: environment observations sent back as `user` messages (in
// Chat, Responses and Anthropic bodies) are treated as tool outputs — masked, kept out of the
// ledger's user messages — while the human's own messages stay user messages; a demonstration is
// not the task; a first task too large to keep whole is kept head and tail instead of refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { messageText } from '../../src/conversation/model.ts';
import { decodeChatMessages } from '../../src/adapters/chat/conversation.ts';
import { decodeResponsesInput } from '../../src/adapters/responses/conversation.ts';
import { decodeAnthropicConversation } from '../../src/adapters/anthropic/conversation.ts';
import { markTextProtocol, textActionOf } from '../../src/conversation/text-protocol.ts';
import { buildHandoff, checkInvariants, compactConversation, countConversationTokens } from '../../src/compaction/index.ts';

const SYSTEM = 'You are an autonomous programmer working in a shell. Reply with one command in a fenced block.';
const TASK = 'Fix the rounding bug in TimeDelta serialization (ISSUE-4821): 345 ms serializes as 344.';
const HUMAN_FOLLOW_UP = 'Also keep the public API of fields.py unchanged, please.';

/** A SWE-agent style session: each action in a fenced block, each observation a user message with its state lines. */
function sweAgentMessages(turns = 14): { role: string; content: string }[] {
  const messages = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `${TASK}\n\n(Open file: n/a)\n(Current directory: /repo)\nbash-$` },
  ];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'assistant', content: `Let me look at part ${i}.\n\`\`\`\ngrep -n "precision" src/marshmallow/fields.py\n\`\`\`` });
    const listing = Array.from({ length: 40 }, (_, k) => `${i * 40 + k}: value = round(value * ${k}) # precision step ${k}`).join('\n');
    messages.push({ role: 'user', content: `${listing}\n\n(Open file: /repo/src/marshmallow/fields.py)\n(Current directory: /repo)\nbash-$` });
    if (i === 6) {
      messages.push({ role: 'assistant', content: 'Should I also change the public API?' });
      messages.push({ role: 'user', content: HUMAN_FOLLOW_UP });
    }
  }
  return messages;
}

const userTexts = (items: Item[]) => items.filter((i) => i.kind === 'message' && i.role === 'user').map((i) => messageText((i as { content: any }).content));

test('observations in a Chat body are marked; the human follow-up and the task are not', () => {
  const marked = markTextProtocol(decodeChatMessages(sweAgentMessages(4)));
  const users = marked.items.filter((i) => i.kind === 'message' && i.role === 'user');
  const flags = users.map((u) => (u as { observation?: boolean }).observation === true);
  assert.equal(flags[0], false, 'the task (not an answer to an assistant message) is the user’s');
  assert.equal(flags.filter(Boolean).length, 4);
  const follow = users.find((u) => messageText((u as { content: any }).content) === HUMAN_FOLLOW_UP);
  assert.equal(follow, undefined, 'no follow-up at 4 turns');
  const withHuman = markTextProtocol(decodeChatMessages(sweAgentMessages(8)));
  const human = withHuman.items.find((i) => i.kind === 'message' && messageText(i.content) === HUMAN_FOLLOW_UP) as { observation?: boolean };
  assert.notEqual(human.observation, true, 'the human’s words stay a user message');
});

test('live compaction of a SWE-agent Chat body masks observations and keeps environment output out of the user messages', async () => {
  const conversation = decodeChatMessages(sweAgentMessages());
  const budget = Math.floor(countConversationTokens(conversation) * 0.3);
  const masked = await compactConversation(conversation, { budgetTokens: budget });
  assert.deepEqual(checkInvariants(conversation, masked.conversation, budget), []);
  assert.ok(masked.report.itemsMasked >= 5, 'old observations are masked like tool results');
  assert.ok(userTexts(masked.conversation.items).some((t) => t.startsWith('[gateway: output hidden to save context: command grep -n')), 'the stub names the command');
  assert.ok(userTexts(masked.conversation.items).includes(HUMAN_FOLLOW_UP), 'the human’s message is never masked');
  const result = await compactConversation(conversation, { budgetTokens: budget, disabledLayers: new Set(['L2' as const]) });
  const ledger = result.report.ledger!;
  assert.ok(ledger, 'retired into a ledger');
  for (const message of ledger.userMessages) assert.doesNotMatch(message, /bash-\$|\(Open file:|precision step/);
  assert.ok(ledger.userMessages.includes(HUMAN_FOLLOW_UP), 'the human’s follow-up is quoted verbatim');
  const texts = userTexts(result.conversation.items);
  assert.ok(texts.some((t) => t.startsWith(TASK)), 'the task is kept');
  assert.ok(ledger.commands.some((c) => c.command.startsWith('grep -n "precision"')), 'text-protocol actions are commands in the ledger');
});

test('observations are recognised in Responses and Anthropic bodies too', async () => {
  const messages = sweAgentMessages();
  const responses = decodeResponsesInput(
    messages.filter((m) => m.role !== 'system').map((m) => ({ type: 'message', role: m.role, content: [{ type: m.role === 'assistant' ? 'output_text' : 'input_text', text: m.content }] })),
    SYSTEM,
  );
  const anthropic = decodeAnthropicConversation({ model: 'claude', system: SYSTEM, messages: messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: [{ type: 'text', text: m.content }] })) });
  for (const [name, conversation] of [['responses', responses], ['anthropic', anthropic]] as [string, Conversation][]) {
    const budget = Math.floor(countConversationTokens(conversation) * 0.3);
    const result = await compactConversation(conversation, { budgetTokens: budget, disabledLayers: new Set(['L2' as const]) });
    const ledger = result.report.ledger!;
    assert.ok(ledger, name);
    for (const message of ledger.userMessages) assert.doesNotMatch(message, /bash-\$/, name);
    assert.ok(ledger.userMessages.includes(HUMAN_FOLLOW_UP), name);
  }
});

test('the handoff (Responses compact, Codex) keeps only the human’s messages as recent user messages', async () => {
  const handoff = await buildHandoff(decodeChatMessages(sweAgentMessages()), { budgetTokens: 100_000 });
  const recent = handoff.recentUserMessages.map((m) => messageText(m.content));
  assert.ok(recent.includes(HUMAN_FOLLOW_UP));
  for (const text of recent) assert.doesNotMatch(text, /precision step/);
});

test('an agent this repository has never seen: observations recognised by their shared template frame', () => {
  const messages: { role: string; content: string }[] = [
    { role: 'system', content: 'Act by writing <command>…</command>.' },
    { role: 'user', content: 'Port the parser to the new tokenizer.' },
  ];
  for (let i = 0; i < 5; i++) {
    messages.push({ role: 'assistant', content: `Step ${i}.\n<command>\nmake test-${i}\n</command>` });
    messages.push({ role: 'user', content: `<<< env reply >>>\nbuilt target ${i}\nall ${i + 3} checks passed\n[[ step ${i} done ]]` });
  }
  messages.push({ role: 'assistant', content: 'Done. Anything else?' });
  messages.push({ role: 'user', content: 'Yes: also document the tokenizer flags in README.md.' });
  const marked = markTextProtocol(decodeChatMessages(messages));
  const users = marked.items.filter((i) => i.kind === 'message' && i.role === 'user') as { observation?: boolean; content: any }[];
  assert.deepEqual(users.map((u) => u.observation === true), [false, true, true, true, true, true, false]);
});

test('a plain chat where the human answers code with prose is left alone', () => {
  const messages = [
    { role: 'user', content: 'Write a function that reverses a string.' },
    { role: 'assistant', content: 'Here:\n```js\nconst reverse = (s) => [...s].reverse().join("");\n```' },
    { role: 'user', content: 'Thanks! Now make it handle emoji.' },
    { role: 'assistant', content: 'It already does:\n```js\nreverse("ab😀")\n```' },
    { role: 'user', content: 'Great, and add a test.' },
  ];
  const conversation = decodeChatMessages(messages);
  assert.equal(markTextProtocol(conversation), conversation, 'nothing marked, same object');
});

test('the action of an assistant message is read in each protocol', () => {
  assert.deepEqual(textActionOf('Run it.\n```bash\npython reproduce.py\n```'), { name: 'shell', args: { command: 'python reproduce.py' } });
  assert.deepEqual(textActionOf('<command>\ncreate reproduce.py\n</command>'), { name: 'shell', args: { command: 'create reproduce.py' } });
  assert.deepEqual(textActionOf('<function=str_replace_editor>\n<parameter=command>view</parameter>\n<parameter=path>/repo/a.py</parameter>\n</function>'), { name: 'str_replace_editor', args: { command: 'view', path: '/repo/a.py' } });
  assert.equal(textActionOf('No action here.'), undefined);
});

test('a demonstration is not the task: the real task stays pinned and the demonstration is retired', async () => {
  const demonstration = 'Here is a demonstration of how to correctly accomplish this task.\n--- DEMONSTRATION ---\n' + Array.from({ length: 400 }, (_, i) => `demo step ${i}: edit src/demo_${i}.py and run the demo tests`).join('\n') + '\n--- END OF DEMONSTRATION ---';
  const messages = sweAgentMessages();
  messages.splice(1, 0, { role: 'user', content: demonstration });
  const conversation = decodeChatMessages(messages);
  const tokens = countConversationTokens(conversation);
  for (const fraction of [0.2, 0.3, 0.5]) {
    const budget = Math.floor(tokens * fraction);
    const result = await compactConversation(conversation, { budgetTokens: budget });
    assert.ok(result.report.tokensAfter <= budget);
    const texts = userTexts(result.conversation.items);
    assert.ok(texts.some((t) => t.startsWith(TASK)), `the real task is kept at ${fraction}`);
    assert.ok(!texts.some((t) => t.includes('--- END OF DEMONSTRATION ---')), `the demonstration is not kept whole at ${fraction}`);
    for (const message of result.report.ledger?.userMessages ?? []) assert.doesNotMatch(message, /DEMONSTRATION/);
  }
});

test('a first task too large to keep whole is kept head and tail with a marker; refusal only when system prompt and newest turn exceed', async () => {
  const hugeTask = 'TASK START: migrate the billing module.\n' + Array.from({ length: 1500 }, (_, i) => `context line ${i} about invoices and ledgers`).join('\n') + '\nTASK END: keep the CSV export working.';
  const messages = [{ role: 'system', content: SYSTEM }, { role: 'user', content: hugeTask }, ...sweAgentMessages().slice(2)];
  const conversation = decodeChatMessages(messages);
  const budget = 4000;
  const result = await compactConversation(conversation, { budgetTokens: budget });
  assert.deepEqual(checkInvariants(conversation, result.conversation, budget), []);
  const task = userTexts(result.conversation.items).find((t) => t.startsWith('TASK START'));
  assert.ok(task, 'the head of the task is kept');
  assert.match(task, /TASK END: keep the CSV export working\.$/, 'and its tail');
  assert.match(task, /\[… \d+ tokens \(\d+ lines\) of the first task cut by the gateway: .*did not fit the context budget of 4000 tokens/);

  const hugeNewest = decodeChatMessages([{ role: 'system', content: SYSTEM }, { role: 'user', content: TASK }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'x '.repeat(6000) }]);
  await assert.rejects(compactConversation(hugeNewest, { budgetTokens: 3000 }), (err: any) => {
    assert.equal(err.code, 'context_budget_unreachable');
    assert.equal(err.status, 400);
    assert.match(err.message, /the system prompt with the tool definitions \(\d+ tokens\) and the newest turn \(\d+ tokens\) alone take \d+ tokens/);
    return true;
  });
});

test('a compacted history resent with new turns: the relay’s stubs stay observations and its summary is never masked', async () => {
  const conversation = decodeChatMessages(sweAgentMessages());
  const budget = Math.floor(countConversationTokens(conversation) * 0.4);
  const first = await compactConversation(conversation, { budgetTokens: budget });
  assert.ok(first.report.itemsMasked > 0);
  const more = sweAgentMessages(10).slice(2).map((m) => ({ ...m, content: m.content.replace(/part (\d+)/, 'next part $1') }));
  const resent: Conversation = { ...first.conversation, items: [...first.conversation.items, ...decodeChatMessages(more).items] };
  const second = await compactConversation(resent, { budgetTokens: budget, disabledLayers: new Set(['L2' as const]) });
  for (const message of second.report.ledger?.userMessages ?? []) assert.doesNotMatch(message, /^\[gateway: output hidden/);
  const third = await compactConversation(second.conversation, { budgetTokens: Math.floor(countConversationTokens(second.conversation) * 0.9) });
  const summary = userTexts(third.conversation.items).find((t) => t.startsWith('The earlier part of this session was compacted'));
  assert.ok(summary && !summary.includes('[gateway: output hidden'), 'the summary message is kept, not masked');
});

test('a demonstration replayed as turns (put_demos_in_history) is not the task and writes nothing to the ledger', async () => {
  const template = (issue: string) => `We're currently solving the following issue within our repository. Here's the issue text:\nISSUE:\n${issue}\n\nINSTRUCTIONS:\n${'Solve it with the special interface. '.repeat(12)}\n(Open file: n/a)\n(Current directory: /repo)\nbash-$`;
  const demo = [
    { role: 'user', content: template('Demo issue: TimeDelta rounding in the example repository.') },
    { role: 'assistant', content: 'Create a script.\n```\ncreate demo_reproduce.py\n```' },
    { role: 'user', content: '[File: /demo/demo_reproduce.py (1 lines total)]\n1:\n(Open file: /demo/demo_reproduce.py)\n(Current directory: /demo)\nbash-$' },
  ];
  const messages = [{ role: 'system', content: SYSTEM }, ...demo, ...sweAgentMessages().slice(1).map((m, i) => (i === 0 ? { ...m, content: template(TASK) } : m))];
  const marked = markTextProtocol(decodeChatMessages(messages));
  const flags = marked.items.slice(1, 5).map((i) => (i as { demonstration?: boolean }).demonstration === true);
  assert.deepEqual(flags, [true, true, true, false], 'the example’s three turns, not the real task');
  const conversation = decodeChatMessages(messages);
  const result = await compactConversation(conversation, { budgetTokens: Math.floor(countConversationTokens(conversation) * 0.3), disabledLayers: new Set(['L2' as const]) });
  assert.ok(userTexts(result.conversation.items).some((t) => t.includes(TASK)), 'the real task is pinned');
  assert.ok(!result.report.ledger!.files.some((f) => f.path.includes('demo_reproduce')), 'the example’s files are not the session’s');
});

test('a function-calling session that resends the same long opening is not mistaken for a replayed demonstration', () => {
  const context = `<environment_context>\n  <cwd>/repo</cwd>\n${'  <note>sandboxed workspace, network disabled</note>\n'.repeat(10)}</environment_context>`;
  const ask = `Please review the parser changes in src/parser.ts carefully. ${'Check every branch and report problems. '.repeat(10)}`;
  const items: Item[] = [
    { kind: 'message', role: 'user', content: [{ type: 'text', text: context }] },
    { kind: 'message', role: 'user', content: [{ type: 'text', text: ask }] },
    { kind: 'tool_call', callId: 'c1', name: 'shell', arguments: '{"command":["ls"]}', toolKind: 'function' },
    { kind: 'tool_result', callId: 'c1', output: 'src', toolKind: 'function' },
    { kind: 'message', role: 'user', content: [{ type: 'text', text: context }] },
    { kind: 'message', role: 'user', content: [{ type: 'text', text: ask }] },
  ];
  const conversation: Conversation = { items, tools: [] };
  assert.equal(markTextProtocol(conversation), conversation);
});

test('aider’s reflections (lint errors, failed edits, commit notes) are observations; a python block is not a command', () => {
  const messages = [
    { role: 'user', content: 'Add a subtree test.' },
    { role: 'assistant', content: 'tests/test_map.py\n```python\n<<<<<<< SEARCH\n=======\nimport os\n>>>>>>> REPLACE\n```' },
    { role: 'user', content: '# Fix any errors below, if possible.\n\n## Running: flake8 tests/test_map.py\n\ntests/test_map.py:3:1: F821 undefined name' },
    { role: 'assistant', content: 'Fixed the import.' },
    { role: 'user', content: 'I committed the changes with git hash 58a16ef & commit msg: feat: add test' },
    { role: 'assistant', content: 'Ok.' },
    { role: 'user', content: 'Now run the whole suite.' },
  ];
  const users = markTextProtocol(decodeChatMessages(messages)).items.filter((i) => i.kind === 'message' && i.role === 'user') as { observation?: boolean }[];
  assert.deepEqual(users.map((u) => u.observation === true), [false, true, true, false]);
  assert.equal(textActionOf('Here:\n```python\nprint(1 > 0)\n```'), undefined);
});

test('Cline and Roo Code XML tool use: results are observations, the human’s answer stays the human’s, the ledger reads writes from the tool', async () => {
  const environment = (i: number) => `<environment_details>\n# VSCode Visible Files\nsrc/app.ts\n\n# Current Time\n11/29/2026, ${i}:00 PM\n</environment_details>`;
  const listing = (i: number) => Array.from({ length: 80 }, (_, k) => `${k + 1} | export const handler_${i}_${k} = (req) => validate(req.body.field_${k});`).join('\n');
  const messages: any[] = [{ role: 'user', content: [{ type: 'text', text: '<task>\nAdd input validation to src/app.ts and cover it with a test in test/app.test.ts.\n</task>' }, { type: 'text', text: environment(0) }] }];
  const turn = (assistant: string, result: string, i: number) => {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: assistant }] });
    messages.push({ role: 'user', content: [{ type: 'text', text: result }, { type: 'text', text: environment(i) }] });
  };
  for (let i = 0; i < 6; i++) turn(`<thinking>Reading part ${i}.</thinking>\n<read_file>\n<path>src/part_${i}.ts</path>\n</read_file>`, `[read_file for 'src/part_${i}.ts'] Result:\n${listing(i)}`, i + 1);
  turn('<ask_followup_question>\n<question>Which validation library?</question>\n</ask_followup_question>', "[ask_followup_question for 'Which validation library?'] Result:\n<answer>\nUse zod and keep the error messages in English.\n</answer>", 7);
  turn('<replace_in_file>\n<path>src/app.ts</path>\n<diff>\n<<<<<<< SEARCH\nconst x = 1;\n=======\nconst x = z.number().parse(1);\n>>>>>>> REPLACE\n</diff>\n</replace_in_file>', "[replace_in_file for 'src/app.ts'] Result:\nThe content was successfully saved to src/app.ts.", 8);
  turn('<execute_command>\n<command>npm test</command>\n<requires_approval>false</requires_approval>\n</execute_command>', "[execute_command for 'npm test'] Result:\nCommand executed.\nOutput:\n" + listing(9), 9);
  const conversation = decodeAnthropicConversation({ model: 'm', max_tokens: 10, messages } as any);
  const marked = markTextProtocol(conversation);
  const users = marked.items.filter((i) => i.kind === 'message' && i.role === 'user') as { observation?: boolean; content: any }[];
  assert.deepEqual(users.map((u) => u.observation === true), [false, true, true, true, true, true, true, false, true, true], 'tool results are observations; the task and the answer are not');
  const before = countConversationTokens(conversation);
  const result = await compactConversation(conversation, { budgetTokens: Math.floor(before * 0.3), targetTokens: Math.floor(before * 0.1), strategy: 'ledger' });
  const ledger = result.report.ledger!;
  assert.ok(ledger, `a ledger was written (${JSON.stringify({ before, after: result.report.tokensAfter, layers: result.report.layersApplied })})`);
  assert.deepEqual(ledger.files.map((f) => f.path), ['src/app.ts'], 'only the file replace_in_file wrote is listed as changed (read_file is a read)');
  assert.ok(ledger.userMessages.some((m) => m.includes('Use zod')), 'the human’s answer is among the user messages');
  assert.ok(!ledger.userMessages.some((m) => m.includes('export const handler_')), 'no tool output is listed as a user message');
  assert.deepEqual(checkInvariants(conversation, result.conversation), []);
});
