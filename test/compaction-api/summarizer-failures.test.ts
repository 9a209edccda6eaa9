// The summarizer goes through dispatch like every upstream call, and its failures are visible:
// through the real `openai` client against the emulator, a failing, hanging, stopped or disabled
// summarizer upstream gives a ledger-only compaction that says so (header, usage row, warning log,
// metric), or with the group's `fallback: error` a 502/503/504; two channels fail over; the call
// keeps the session's channel; one deadline bounds every try; empty input and streaming are 400s.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import pino from 'pino';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { chargeOf } from '../../src/access/charge.ts';
import { rollupOf } from '../../src/store/usage-retention.ts';

const SUMMARY = '## Goal\nFix the parser\n## Constraints\nnone\n## Progress and decisions\nran tests\n## Errors and fixes\nnone\n## Files\nsrc/parser.ts\n## Next step\nhandle CRLF';

function history(turns: number, tag = ''): any[] {
  const input: any[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `Fix the flaky parser test ${tag}` }] }];
  for (let i = 0; i < turns; i++) {
    input.push({ type: 'function_call', call_id: `call_${i}`, name: 'shell', arguments: JSON.stringify({ command: ['npm', 'test', String(i)] }) });
    input.push({ type: 'function_call_output', call_id: `call_${i}`, output: `run ${i}\n` + 'PASS test/parser.test.ts\n'.repeat(40) });
  }
  input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Now make the parser handle CRLF.' }] });
  return input;
}

const summarizerCalls = (u: UpstreamEmulator) => u.requests.filter((r) => /DATA, not instructions/.test(JSON.stringify(r.body)));

describe('summarizer failures and dispatch', () => {
  let primary: UpstreamEmulator;
  let backup: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;
  let strictClient: OpenAI;
  const logs: any[] = [];

  before(async () => {
    primary = await startUpstreamEmulator({ mode: 'chat-only', models: ['deepseek-chat', 'cheap-summarizer'] });
    backup = await startUpstreamEmulator({ mode: 'chat-only', models: ['deepseek-chat'] });
    const sink = new Writable({ write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    } });
    relay = await startTestRelay({
      logger: pino({ level: 'warn' }, sink),
      config: { circuitFailureThreshold: 1000 },
      channels: [{ name: 'primary', type: 'openai-chat', baseUrl: primary.url, models: ['deepseek-chat', 'cheap-summarizer'], options: { timeoutMs: 400 } }],
    });
    await relay.relay.catalogStore.upsertGroup('strict', ['*'], { compaction: { fallback: 'error' } });
    strictClient = new OpenAI({ apiKey: await relay.addKey('strict-key', 'strict'), baseURL: relay.baseURL, maxRetries: 0 });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await Promise.all([primary.close(), backup.close()]);
  });

  test('a failing summarizer: the ledger stands in, and the header, usage rows, log and metric say so', async () => {
    primary.reset();
    primary.setFault({ kind: 'status', status: 500, message: 'the summarizer upstream is down (key sk-proj-abcdefghijklmnopqrstuvwx)' });
    logs.length = 0;
    const raw = await client.responses.compact({ model: 'deepseek-chat', input: history(4) } as any).asResponse();
    primary.setFault(null);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('x-compaction-fallback'), 'upstream_error');
    const compacted: any = await raw.json();
    assert.equal(compacted.status, 'completed');
    assert.match(compacted.output.at(-1).content[0].text, /Session ledger/);
    assert.equal(summarizerCalls(primary).length, 3, 'tried like any request: the first try and two retries');
    const rows = await relay.usageRows(2);
    const compactRow = rows.find((r) => r.endpoint === '/v1/responses/compact' && !r.summarizer_call)!;
    assert.equal(compactRow.compaction_fallback, 'upstream_error');
    const summarizerRow = rows.find((r) => r.summarizer_call === 1)!;
    assert.equal(summarizerRow.status, 502);
    assert.equal(summarizerRow.channel, 'primary');
    assert.equal(summarizerRow.request_id, compactRow.request_id, 'the summarizer row belongs to the request');
    const warning = logs.find((l) => /ledger stands in/.test(l.msg));
    assert.ok(warning, 'a warning log line');
    assert.equal(warning.level, 40);
    assert.match(warning.error, /the summarizer upstream is down/);
    assert.doesNotMatch(JSON.stringify(logs), /sk-proj-abcdefghijklmnopqrstuvwx/, 'a credential the upstream echoed is not logged');
    const page: any = await (await fetch(`${relay.url}/admin/api/usage?compacted=true`, { headers: { authorization: `Bearer ${relay.relay.adminAuth.generatedToken}` } })).json();
    assert.equal(page.data.find((r: any) => r.request_id === compactRow.request_id)?.compaction_fallback, 'upstream_error', 'what the console\'s compaction page lists');
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    assert.match(metrics, /relay_compaction_fallbacks_total\{reason="upstream_error"\} [1-9]/);
    assert.match(metrics, /relay_requests_total\{endpoint="summarizer",status="502"/);
  });

  test('a rejected summary is logged with its reason and flagged', async () => {
    primary.reset();
    logs.length = 0;
    primary.script([{ text: 'I summarized it, trust me.' }]);
    const raw = await client.responses.compact({ model: 'deepseek-chat', input: history(3, 'rejected') } as any).asResponse();
    assert.equal(raw.headers.get('x-compaction-fallback'), 'rejected');
    const warning = logs.find((l) => /rejected/.test(l.msg));
    assert.ok(warning);
    assert.match(warning.problem, /summary lacks sections/);
  });

  test('fallback: error answers 502 for a failing summarizer, 504 for a hanging one within one deadline', async () => {
    primary.reset();
    primary.setFault({ kind: 'status', status: 500 });
    await assert.rejects(strictClient.responses.compact({ model: 'deepseek-chat', input: history(4, 'strict') } as any), (err: any) => err.status === 502);
    primary.setFault({ kind: 'hang' });
    const started = Date.now();
    await assert.rejects(strictClient.responses.compact({ model: 'deepseek-chat', input: history(4, 'hang') } as any), (err: any) => err.status === 504 && err.code === 'summarizer_timeout');
    const took = Date.now() - started;
    assert.ok(took < 1000, `one 400 ms deadline across every try, not 400 ms per try (took ${took} ms)`);
    const raw = await client.responses.compact({ model: 'deepseek-chat', input: history(4, 'hang-default') } as any).asResponse();
    primary.setFault(null);
    assert.equal(raw.status, 200, 'without the option the ledger stands in');
    assert.equal(raw.headers.get('x-compaction-fallback'), 'upstream_timeout');
  });

  test('fallback: error answers 503 when the summarizer model\'s channels are all disabled, 502 when its upstream is stopped', async () => {
    const stopped = await startUpstreamEmulator({ mode: 'chat-only', models: ['stopped-model'] });
    const stoppedUrl = stopped.url;
    await stopped.close();
    await relay.addChannel({ name: 'off', type: 'openai-chat', baseUrl: primary.url, models: ['off-summarizer'], enabled: false });
    await relay.addChannel({ name: 'gone', type: 'openai-chat', baseUrl: stoppedUrl, models: ['gone-summarizer'] });
    for (const [summarizerModel, status, reason] of [['off-summarizer', 503, 'summarizer_unavailable'], ['gone-summarizer', 502, 'upstream_error']] as const) {
      await relay.relay.catalogStore.upsertGroup(`strict-${summarizerModel}`, ['*'], { compaction: { fallback: 'error', summarizerModel } });
      const strict = new OpenAI({ apiKey: await relay.addKey(`k-${summarizerModel}`, `strict-${summarizerModel}`), baseURL: relay.baseURL, maxRetries: 0 });
      await assert.rejects(strict.responses.compact({ model: 'deepseek-chat', input: history(3, summarizerModel) } as any), (err: any) => err.status === status, summarizerModel);
      await relay.relay.catalogStore.upsertGroup(`lenient-${summarizerModel}`, ['*'], { compaction: { summarizerModel } });
      const lenient = new OpenAI({ apiKey: await relay.addKey(`l-${summarizerModel}`, `lenient-${summarizerModel}`), baseURL: relay.baseURL, maxRetries: 0 });
      const raw = await lenient.responses.compact({ model: 'deepseek-chat', input: history(3, `l-${summarizerModel}`) } as any).asResponse();
      assert.equal(raw.headers.get('x-compaction-fallback'), reason, summarizerModel);
    }
  });

  test('a summary the key\'s token limit cannot pay for: rate_limited, and a 429 with fallback: error', async () => {
    const lenientKey = await relay.addKey('tpm-lenient', 'default');
    const strictKey = await relay.addKey('tpm-strict', 'strict');
    for (const name of ['tpm-lenient', 'tpm-strict']) await relay.relay.catalogStore.updateKeyOptions(name, { tpm: 6000 });
    await relay.relay.catalog.refresh();
    const calls = summarizerCalls(primary).length;
    const lenient = new OpenAI({ apiKey: lenientKey, baseURL: relay.baseURL, maxRetries: 0 });
    const raw = await lenient.responses.compact({ model: 'deepseek-chat', input: history(3, 'tpm') } as any).asResponse();
    assert.equal(raw.status, 200);
    assert.equal(raw.headers.get('x-compaction-fallback'), 'rate_limited');
    const strict = new OpenAI({ apiKey: strictKey, baseURL: relay.baseURL, maxRetries: 0 });
    await assert.rejects(strict.responses.compact({ model: 'deepseek-chat', input: history(3, 'tpm-strict') } as any), (err: any) => err.status === 429);
    assert.equal(summarizerCalls(primary).length, calls, 'no summary was asked for');
  });

  test('the summarizer fails over to a healthy channel like any request', async () => {
    await relay.addChannel({ name: 'backup', type: 'openai-chat', baseUrl: backup.url, models: ['deepseek-chat'], priority: -1 });
    try {
      primary.reset();
      backup.reset();
      primary.setFault({ kind: 'status', status: 500 });
      for (let i = 0; i < 6; i++) {
        backup.script([{ text: SUMMARY }]);
        const raw = await client.responses.compact({ model: 'deepseek-chat', input: history(3, `failover ${i}`) } as any).asResponse();
        assert.equal(raw.headers.get('x-compaction-fallback'), null);
        assert.equal(raw.headers.get('x-compaction-strategy'), 'model');
      }
      assert.equal(summarizerCalls(backup).length, 6);
      // Issue 13's case: two channels of equal weight, one failing: every compaction still gets its model summary.
      await relay.addChannel({ name: 'backup', type: 'openai-chat', baseUrl: backup.url, models: ['deepseek-chat'], priority: 0 });
      const strategies: (string | null)[] = [];
      for (let i = 0; i < 8; i++) {
        backup.script([{ text: SUMMARY }]);
        const raw = await client.responses.compact({ model: 'deepseek-chat', input: history(3, `equal ${i}`) } as any).asResponse();
        strategies.push(raw.headers.get('x-compaction-strategy'));
      }
      primary.setFault(null);
      assert.deepEqual(strategies, Array(8).fill('model'), '8 of 8 compactions have a model summary');
    } finally {
      await relay.relay.catalogStore.removeChannel('backup');
      await relay.relay.catalog.refresh();
    }
  });

  test('the summarizer call keeps the session on its channel (prompt_cache_key affinity)', async () => {
    await relay.addChannel({ name: 'backup', type: 'openai-chat', baseUrl: backup.url, models: ['deepseek-chat'] });
    try {
      for (let session = 0; session < 4; session++) {
        primary.reset();
        backup.reset();
        const prompt_cache_key = `session-${session}`;
        await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }], prompt_cache_key } as any);
        const home = primary.requests.length > 0 ? primary : backup;
        const away = home === primary ? backup : primary;
        for (let i = 0; i < 3; i++) {
          home.script([{ text: SUMMARY }]);
          await client.responses.compact({ model: 'deepseek-chat', input: history(3, `affinity ${session} ${i}`), prompt_cache_key } as any);
        }
        assert.equal(summarizerCalls(home).length, 3, `session ${session}: every summary on the session's channel`);
        assert.equal(summarizerCalls(away).length, 0);
      }
    } finally {
      await relay.relay.catalogStore.removeChannel('backup');
      await relay.relay.catalog.refresh();
    }
  });

  test('a successful summary gets its own usage row, marked as a summarizer call', async () => {
    primary.reset();
    primary.script([{ text: SUMMARY, usage: { input: 321, output: 45 } }]);
    await client.responses.compact({ model: 'deepseek-chat', input: history(3, 'row') } as any);
    const rows = await relay.usageRows(2);
    const row = rows.find((r) => r.summarizer_call === 1 && r.input_tokens === 321)!;
    assert.ok(row, 'summarizer row');
    assert.equal(row.status, 200);
    assert.equal(row.output_tokens, 45);
    assert.equal(row.channel, 'primary');
    assert.equal(row.summarizer_model, 'deepseek-chat');
    const compacted = rows.find((r) => r.request_id === row.request_id && r.summarizer_call === 0)!;
    assert.equal(compacted.summarizer_input_tokens, 321, 'the compacted request\'s row carries the summary\'s cost');
    assert.deepEqual(chargeOf(row), [], 'so the summarizer row charges nothing to quotas');
    assert.deepEqual(rollupOf([{ ...row, id: 1 }]), [], 'nor to what retention keeps of pruned rows');
    assert.equal(chargeOf(compacted).reduce((n, p) => n + p.inputTokens, 0), 321, 'the summary is charged once');
  });

  test('the budget comes from the channels that will serve the request, not the first channel of the model', async () => {
    await relay.addChannel({ name: 'a-claude', type: 'anthropic', baseUrl: primary.url, models: ['mixed-model'], options: { contextWindow: 1_000_000 } });
    await relay.addChannel({ name: 'b-chat', type: 'openai-chat', baseUrl: primary.url, models: ['mixed-model'], options: { contextWindow: 8000, aliases: { 'mixed-model': 'deepseek-chat' } } });
    const messages: any[] = [{ role: 'user', content: 'Refactor this function.' }];
    for (let i = 0; i < 12; i++) {
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'read_file', arguments: JSON.stringify({ path: `src/f${i}.ts` }) } }] });
      messages.push({ role: 'tool', tool_call_id: `c${i}`, content: 'export const value = 1;\n'.repeat(150) });
    }
    messages.push({ role: 'user', content: 'Go on.' });
    const raw = await client.post('/responses/compact', { body: { model: 'mixed-model', messages } }).asResponse();
    assert.equal(raw.status, 200);
    const before = Number(raw.headers.get('x-compaction-tokens-before'));
    const afterTokens = Number(raw.headers.get('x-compaction-tokens-after'));
    assert.ok(before > 8000 && afterTokens < 8000 * 0.85, `compacted to the Chat channel's window: ${before} → ${afterTokens}`);
  });

  test('"input": [] is a 400 that calls no upstream; "stream": true is refused, not ignored', async () => {
    primary.reset();
    await assert.rejects(client.responses.compact({ model: 'deepseek-chat', input: [] } as any), (err: any) => err.status === 400 && err.param === 'input');
    await assert.rejects(client.post('/responses/compact', { body: { model: 'deepseek-chat', input: history(2), stream: true } }), (err: any) => err.status === 400 && err.param === 'stream');
    assert.equal(primary.requests.length, 0);
  });
});
