// Seed 001 to the letter, through the real `openai` client: every output item of a Responses-shape
// /v1/responses/compact is a typed message whose text sits at output[].content[].text, with
// `status` on the answer; `object` stays OpenAI's "response.compaction".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

const SUMMARY = '## Goal\nShip the parser\n## Constraints\nnone\n## Progress and decisions\nran tests\n## Errors and fixes\nnone\n## Files\nsrc/parser.ts\n## Next step\ncontinue';

/** A history as many clients send it: plain `{role, content: "…"}` messages without `type`. */
function plainHistory(): any[] {
  const input: any[] = [{ role: 'user', content: 'Summarize the current coding session for continuation.' }];
  for (let i = 0; i < 6; i++) {
    input.push({ role: 'assistant', content: `Step ${i}: edited src/parser.ts and ran the tests.` });
    input.push({ role: 'user', content: `Now do step ${i + 1}.` });
  }
  return input;
}

describe('seed 001: /v1/responses/compact with a Responses body', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let client: OpenAI;

  before(async () => {
    upstream = await startUpstreamEmulator({ mode: 'chat-only', models: ['deepseek-chat'] });
    relay = await startTestRelay({ channels: [{ name: 'deepseek', type: 'openai-chat', baseUrl: upstream.url, models: ['deepseek-chat'] }] });
    client = new OpenAI({ apiKey: relay.key, baseURL: relay.baseURL, maxRetries: 0 });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('every output item is a typed message whose text is at output[].content[].text', async () => {
    upstream.script([{ text: SUMMARY }]);
    const compacted: any = await client.responses.compact({ model: 'deepseek-chat', input: plainHistory() } as any);
    assert.equal(compacted.object, 'response.compaction');
    assert.equal(compacted.status, 'completed');
    assert.ok(compacted.output.length >= 2);
    for (const item of compacted.output) {
      assert.equal(item.type, 'message', JSON.stringify(item));
      assert.ok(Array.isArray(item.content), 'content is an array of parts');
      for (const part of item.content) {
        assert.equal(part.type, item.role === 'assistant' ? 'output_text' : 'input_text');
        assert.equal(typeof part.text, 'string');
      }
    }
    const texts = compacted.output.flatMap((o: any) => o.content.map((c: any) => c.text));
    assert.ok(texts.includes('Summarize the current coding session for continuation.'));
    assert.match(texts.at(-1), /## Goal/);
  });

  test('a string input is answered the same way', async () => {
    upstream.script([{ text: SUMMARY }]);
    const compacted: any = await client.responses.compact({ model: 'deepseek-chat', input: 'Summarize the current coding session for continuation.' } as any);
    assert.deepEqual(compacted.output[0], { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Summarize the current coding session for continuation.' }] });
  });
});
