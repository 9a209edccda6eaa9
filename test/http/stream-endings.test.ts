// How streams end, as the real SDKs see them: a cut upstream stream behind a translated upstream
// (Chat-only or Anthropic) marks the cut item `incomplete`, fails the response and raises an
// error in `openai`'s `responses.stream()`; every error event the relay writes on a Responses
// stream carries a `sequence_number`; a translated Anthropic stream reports the relay's count of
// the input in `message_start`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

/** The events of a Responses stream, read raw so their order and fields can be checked. */
async function rawEvents(relay: TestRelay, body: Record<string, unknown>): Promise<any[]> {
  const res = await fetch(`${relay.baseURL}/responses`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  const text = await res.text();
  return text.split('\n\n').filter((f) => f.includes('data: ')).map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)));
}

describe('stream endings', () => {
  let chat: UpstreamEmulator;
  let claude: UpstreamEmulator;
  let responses: UpstreamEmulator;
  let relay: TestRelay;
  let openai: OpenAI;
  let anthropic: Anthropic;

  before(async () => {
    chat = await startUpstreamEmulator({ mode: 'chat-only', models: ['chat-model'], replyText: 'a reply long enough to arrive in several pieces before the cut' });
    claude = await startUpstreamEmulator({ mode: 'anthropic', models: ['claude-model'], replyText: 'a reply long enough to arrive in several pieces before the cut' });
    responses = await startUpstreamEmulator({ mode: 'responses-only', models: ['resp-model'] });
    relay = await startTestRelay({
      channels: [
        { name: 'chat', type: 'openai-chat', baseUrl: chat.url, models: ['chat-model'] },
        { name: 'claude', type: 'anthropic', baseUrl: claude.url, models: ['claude-model'] },
        { name: 'resp', type: 'openai-responses', baseUrl: responses.url, models: ['resp-model'] },
      ],
    });
    openai = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: relay.key, baseURL: relay.url, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await Promise.all([chat.close(), claude.close(), responses.close()]);
  });

  for (const [label, model, upstream, cutAfter] of [['a Chat-only', 'chat-model', () => chat, 3], ['an Anthropic', 'claude-model', () => claude, 5]] as const) {
    test(`a stream cut on ${label} upstream: responses.stream() raises an error`, async () => {
      upstream().setFault({ kind: 'truncate-stream', afterEvents: cutAfter, count: 1 });
      const stream = openai.responses.stream({ model, input: 'tell me something' });
      let text = '';
      stream.on('response.output_text.delta', (e) => {
        text += e.delta;
      });
      await assert.rejects(stream.finalResponse(), (err: any) => err instanceof OpenAI.APIError && /before it was complete|broke off/.test(err.message));
      assert.ok(text.length > 0, 'the text before the cut was delivered');
    });

    test(`a stream cut on ${label} upstream: the cut item is incomplete, the response failed, the error numbered`, async () => {
      upstream().setFault({ kind: 'truncate-stream', afterEvents: cutAfter, count: 1 });
      const events = await rawEvents(relay, { model, input: 'tell me something' });
      const done = events.filter((e) => e.type === 'response.output_item.done');
      assert.ok(done.length > 0);
      for (const e of done) assert.equal(e.item.status, 'incomplete', 'no item of a cut answer is "completed"');
      const types = events.map((e) => e.type);
      assert.ok(!types.includes('response.completed'));
      assert.deepEqual(types.slice(-2), ['response.failed', 'error']);
      const failed = events.at(-2);
      assert.equal(failed.response.status, 'failed');
      assert.equal(failed.response.output[0].status, 'incomplete');
      events.forEach((e, i) => assert.equal(e.sequence_number, i, `${e.type} numbered in order`));
    });
  }

  test('an answer cut at the output limit ends alike on every upstream: items incomplete, then response.incomplete', async () => {
    for (const [model, upstream] of [['chat-model', chat], ['claude-model', claude], ['resp-model', responses]] as const) {
      upstream.script([{ text: 'a reply cut at the limit', truncated: true }]);
      const events = await rawEvents(relay, { model, input: 'tell me something long', max_output_tokens: 16 });
      const done = events.filter((e) => e.type === 'response.output_item.done');
      assert.ok(done.length > 0, model);
      for (const e of done) assert.equal(e.item.status, 'incomplete', `${model}: the cut item is incomplete`);
      const last = events.at(-1);
      assert.equal(last.type, 'response.incomplete', model);
      assert.equal(last.response.incomplete_details.reason, 'max_output_tokens', model);
      upstream.script([{ text: 'a reply cut at the limit', truncated: true }]);
      const final = await openai.responses.stream({ model, input: 'again', max_output_tokens: 16 }).finalResponse();
      assert.equal(final.status, 'incomplete', `${model}: the SDK sees an incomplete response, not an error`);
    }
  });

  test('a cut on a Responses upstream (forwarded as is): the relay\'s error event carries the next sequence_number', async () => {
    responses.setFault({ kind: 'truncate-stream', afterEvents: 4, count: 1 });
    const events = await rawEvents(relay, { model: 'resp-model', input: 'tell me something' });
    const last = events.at(-1);
    assert.equal(last.type, 'error');
    assert.equal(last.sequence_number, events.at(-2).sequence_number + 1);
    responses.setFault({ kind: 'truncate-stream', afterEvents: 4, count: 1 });
    await assert.rejects(openai.responses.stream({ model: 'resp-model', input: 'x' }).finalResponse(), (err: any) => err instanceof OpenAI.APIError);
  });

  test('a translated Anthropic stream reports the relay\'s input token count in message_start', async () => {
    const stream = await anthropic.messages.create({ model: 'chat-model', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Count these words please, there are quite a few of them in this sentence.' }] });
    let start: any;
    let delta: any;
    for await (const event of stream) {
      if (event.type === 'message_start') start = event.message.usage;
      if (event.type === 'message_delta') delta = event.usage;
    }
    assert.ok(start.input_tokens > 10, `message_start input_tokens ${start.input_tokens}`);
    assert.ok(delta.input_tokens > 0, 'the upstream\'s own count still ends the stream');
  });
});
