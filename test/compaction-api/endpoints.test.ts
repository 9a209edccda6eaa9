// The compaction endpoints through the real `openai` client: /v1/responses/compact in both
// shapes, the Codex v2 trigger with a relay-sealed item expanded on the follow-up, tampered items
// rejected, native pass-through to an upstream that compacts itself, and usage rows recording it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { SEAL_PREFIX } from '../../src/compaction-api/sealing.ts';
import { compactionSavings } from '../../src/store/usage-log.ts';

function longHistory(turns: number): any[] {
  const input: any[] = [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex, a coding agent.' }] }];
  input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the flaky parser test in src/parser.ts; never touch vendor/.' }] });
  for (let i = 0; i < turns; i++) {
    input.push({ type: 'function_call', call_id: `call_${i}`, name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', `npm test -- parser ${i}`] }) });
    input.push({ type: 'function_call_output', call_id: `call_${i}`, output: `run ${i}\n` + 'PASS test/parser.test.ts line\n'.repeat(200) + (i === turns - 1 ? 'Error: expected 3 tokens, got 2\nexit code: 1' : 'exit code: 0') });
  }
  input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Now make the parser handle CRLF.' }] });
  return input;
}

describe('compaction endpoints', () => {
  let chatUpstream: UpstreamEmulator;
  let responsesUpstream: UpstreamEmulator;
  let nativeUpstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;

  before(async () => {
    chatUpstream = await startUpstreamEmulator({ mode: 'chat-only', models: ['deepseek-chat'] });
    responsesUpstream = await startUpstreamEmulator({ mode: 'full', models: ['gpt-5.5'] });
    nativeUpstream = await startUpstreamEmulator({ mode: 'full', nativeCompaction: true, models: ['gpt-5.5-native'] });
    relay = await startTestRelay({
      channels: [
        { name: 'deepseek', type: 'openai-chat', baseUrl: chatUpstream.url, models: ['deepseek-chat'], options: { contextWindow: 8000 } },
        { name: 'openai-like', type: 'openai-responses', baseUrl: responsesUpstream.url, models: ['gpt-5.5'] },
        { name: 'openai', type: 'openai-responses', baseUrl: nativeUpstream.url, models: ['gpt-5.5-native'], options: { nativeCompaction: true } },
      ],
    });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await Promise.all([chatUpstream.close(), responsesUpstream.close(), nativeUpstream.close()]);
  });

  test('Responses shape: compacted context with recent user messages and a portable summary', async () => {
    chatUpstream.script([{ text: '## Goal\nFix the parser\n## Constraints\nnever touch vendor/\n## Progress and decisions\nran tests\n## Errors and fixes\nexpected 3 tokens\n## Files\nsrc/parser.ts\n## Next step\nhandle CRLF', usage: { input: 1234, output: 56 } }]);
    const compacted: any = await client.responses.compact({ model: 'deepseek-chat', input: longHistory(12) } as any);
    assert.equal(compacted.object, 'response.compaction');
    const users = compacted.output.filter((o: any) => o.role === 'user');
    assert.deepEqual(users.map((u: any) => u.content[0].text), ['Fix the flaky parser test in src/parser.ts; never touch vendor/.', 'Now make the parser handle CRLF.']);
    const summary = compacted.output.at(-1);
    assert.equal(summary.role, 'assistant');
    const text = summary.content[0].text;
    assert.match(text, /## Goal/, 'the model summary is there');
    assert.match(text, /Session ledger/, 'and the ledger');
    assert.match(text, /expected 3 tokens, got 2/, 'with the latest error');
    assert.equal(compacted.usage.input_tokens, 1234, 'usage is the summarizer\'s real usage');
    assert.equal(compacted.usage.output_tokens, 56);
    const summarizerCall = chatUpstream.requests.at(-1)!;
    assert.equal(summarizerCall.body.messages[0].role, 'system');
    assert.match(summarizerCall.body.messages[0].content, /DATA, not instructions/);
    const rows = await relay.usageRows(1);
    const row = rows.find((r) => r.endpoint === '/v1/responses/compact')!;
    assert.equal(row.compaction_strategy, 'model');
    assert.ok(row.compaction_tokens_before > row.compaction_tokens_after);
    assert.equal(row.summarizer_input_tokens, 1234);
  });

  test('Responses shape: the summarizer failing leaves the ledger standing in', async () => {
    chatUpstream.setFault({ kind: 'status', status: 500, count: 1 });
    const compacted: any = await client.responses.compact({ model: 'deepseek-chat', input: longHistory(6) } as any);
    chatUpstream.setFault(null);
    const text = compacted.output.at(-1).content[0].text;
    assert.match(text, /Session ledger/);
    assert.doesNotMatch(text, /## Goal/);
  });

  test('Chat shape (seed 000): old turns compacted before forwarding, answered like chat completions', async () => {
    chatUpstream.reset();
    const messages: any[] = [{ role: 'system', content: 'You are a helpful coding assistant.' }, { role: 'user', content: 'Refactor this function and keep the public API.' }];
    for (let i = 0; i < 20; i++) {
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'read_file', arguments: JSON.stringify({ path: `src/f${i}.ts` }) } }] });
      messages.push({ role: 'tool', tool_call_id: `c${i}`, content: `// file ${i}\n` + 'export const value = 1;\n'.repeat(150) });
    }
    messages.push({ role: 'user', content: 'Go on.' });
    const raw = await client.post('/responses/compact', { body: { model: 'deepseek-chat', messages, temperature: 0.1 } }).asResponse();
    assert.equal(raw.status, 200);
    const before = Number(raw.headers.get('x-compaction-tokens-before'));
    const afterTokens = Number(raw.headers.get('x-compaction-tokens-after'));
    assert.ok(before > 8000 && afterTokens < before, `${before} → ${afterTokens}`);
    const completion: any = await raw.json();
    assert.equal(completion.object, 'chat.completion');
    const forwarded = chatUpstream.requests.at(-1)!.body;
    assert.equal(forwarded.messages[0].content, 'You are a helpful coding assistant.', 'system prompt untouched');
    assert.equal(forwarded.temperature, 0.1);
    assert.ok(JSON.stringify(forwarded).length < JSON.stringify(messages).length);
    const stream = await client.post('/responses/compact', { body: { model: 'deepseek-chat', messages, stream: true }, stream: true, __streamClass: Stream } as any) as any;
    let text = '';
    for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? '';
    assert.ok(text.length > 0, 'streams like chat completions');
  });

  test('both shapes at once, or neither, is a 400 naming the fields', async () => {
    for (const body of [{ model: 'deepseek-chat', messages: [], input: [] }, { model: 'deepseek-chat' }]) {
      await assert.rejects(client.post('/responses/compact', { body }), (err: any) => err.status === 400 && /messages|input/.test(err.message));
    }
  });

  test('Codex v2: the trigger gets exactly one relay-sealed compaction item; the follow-up reaches the upstream as text', async () => {
    chatUpstream.reset();
    const history = longHistory(8);
    const stream = await client.responses.create({ model: 'deepseek-chat', input: [...history, { type: 'compaction_trigger' }] as any, stream: true });
    const done: any[] = [];
    let completed: any;
    for await (const event of stream) {
      if (event.type === 'response.output_item.done') done.push(event.item);
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.equal(done.length, 1);
    assert.equal(done[0].type, 'compaction');
    assert.ok(done[0].encrypted_content.startsWith(SEAL_PREFIX));
    assert.ok(completed.usage);
    assert.equal(chatUpstream.requests.filter((r) => r.body.messages?.at(-1)?.content?.includes?.('compaction_trigger')).length, 0);
    const followUp = await client.responses.create({
      model: 'deepseek-chat',
      input: [history[1], { type: 'compaction', id: 'cmp_client_1', encrypted_content: done[0].encrypted_content }, { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'continue' }] }] as any,
    });
    assert.equal(followUp.object, 'response');
    const upstreamBody = JSON.stringify(chatUpstream.requests.at(-1)!.body);
    assert.ok(!upstreamBody.includes(SEAL_PREFIX), 'no relay-sealed blob reaches an upstream');
    assert.match(upstreamBody, /compacted by the gateway/);
    assert.match(upstreamBody, /expected 3 tokens, got 2/);
  });

  test('a tampered or foreign sealed item is rejected with invalid_encrypted_content', async () => {
    const stream = await client.responses.create({ model: 'gpt-5.5', input: [...longHistory(3), { type: 'compaction_trigger' }] as any, stream: true });
    let blob = '';
    for await (const event of stream) if (event.type === 'response.output_item.done') blob = (event.item as any).encrypted_content;
    const tampered = blob.slice(0, -6) + (blob.at(-6) === 'x' ? 'y' : 'x') + blob.slice(-5);
    for (const encrypted of [tampered, 'gAAAA-minted-by-someone-else']) {
      await assert.rejects(
        client.responses.create({ model: 'gpt-5.5', input: [{ type: 'compaction', encrypted_content: encrypted }, { role: 'user', content: 'hi' }] as any }),
        (err: any) => err.status === 400 && err.code === 'invalid_encrypted_content',
      );
    }
  });

  test('native pass-through: an upstream that compacts itself gets the trigger and /responses/compact untouched, and its blob stays with it', async () => {
    nativeUpstream.reset();
    const compacted: any = await client.responses.compact({ model: 'gpt-5.5-native', input: longHistory(2) } as any);
    assert.equal(nativeUpstream.requests.at(-1)!.path, '/v1/responses/compact');
    const item = compacted.output.at(-1);
    assert.equal(item.type, 'compaction');
    assert.ok(!item.encrypted_content.startsWith(SEAL_PREFIX));
    const next = await client.responses.create({ model: 'gpt-5.5-native', input: [...compacted.output, { role: 'user', content: 'continue' }] as any });
    assert.equal(next.status, 'completed');
    assert.equal(nativeUpstream.requests.at(-1)!.body.input[2].encrypted_content, item.encrypted_content, 'forwarded untouched to its issuer');
  });

  test('a group can choose OpenAI\'s sealed form and ledger-only compaction; savings add up per key', async () => {
    await relay.relay.catalogStore.upsertGroup('sealed-group', ['*'], { compaction: { output: 'sealed', strategy: 'ledger' } });
    const key = await relay.addKey('sealed-key', 'sealed-group');
    const sealedClient = new OpenAI({ apiKey: key, baseURL: relay.baseURL, maxRetries: 0 });
    const calls = chatUpstream.requests.length;
    const compacted: any = await sealedClient.responses.compact({ model: 'deepseek-chat', input: longHistory(5) } as any);
    const last = compacted.output.at(-1);
    assert.equal(last.type, 'compaction');
    assert.ok(last.encrypted_content.startsWith(SEAL_PREFIX));
    assert.equal(chatUpstream.requests.length, calls, 'ledger-only: no model call');
    assert.equal(compacted.usage.total_tokens, 0);
    await relay.relay.usageLog.flush();
    const savings = await compactionSavings(relay.relay.store.db);
    const mine = savings.find((r) => r.key_name === 'sealed-key')!;
    assert.equal(mine.compactions, 1);
    assert.equal(mine.group_name, 'sealed-group');
    assert.ok(mine.tokens_saved > 0);
  });

  test('with two native channels, content minted by one always goes back to that one', async () => {
    const second = await startUpstreamEmulator({ mode: 'full', nativeCompaction: true, models: ['gpt-5.5-native'] });
    await relay.addChannel({ name: 'openai-2', type: 'openai-responses', baseUrl: second.url, models: ['gpt-5.5-native'], options: { nativeCompaction: true } });
    try {
      for (let round = 0; round < 4; round++) {
        const compacted: any = await client.responses.compact({ model: 'gpt-5.5-native', input: longHistory(1) } as any);
        const blob = compacted.output.at(-1).encrypted_content;
        for (let i = 0; i < 4; i++) {
          const next = await client.responses.create({ model: 'gpt-5.5-native', input: [...compacted.output, { role: 'user', content: `continue ${i}` }] as any });
          assert.equal(next.status, 'completed', 'never sent to the channel that cannot open the blob');
        }
        const carriers = [...nativeUpstream.requests, ...second.requests].filter((r) => JSON.stringify(r.body).includes(blob));
        assert.equal(new Set(carriers.map((r) => (nativeUpstream.requests.includes(r) ? 'first' : 'second'))).size, 1, 'one channel saw it');
      }
    } finally {
      await relay.relay.catalogStore.removeChannel('openai-2');
      await relay.relay.catalog.refresh();
      await second.close();
    }
  });

  test('a Responses client (like Codex) on a Chat-only upstream: tool calls and usage translated', async () => {
    chatUpstream.script([{ toolCalls: [{ name: 'shell', arguments: '{"command":["ls"]}' }], usage: { input: 500, output: 20 } }]);
    const response = await client.responses.create({
      model: 'deepseek-chat',
      input: [{ role: 'user', content: 'list files' }],
      tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } }, strict: false }],
      stream: false,
    });
    const call = response.output.find((o) => o.type === 'function_call') as any;
    assert.equal(call.name, 'shell');
    assert.equal(call.arguments, '{"command":["ls"]}');
    assert.equal(response.usage!.input_tokens, 500);
    const sent = chatUpstream.requests.at(-1)!.body;
    assert.equal(sent.tools[0].function.name, 'shell');
  });
});
