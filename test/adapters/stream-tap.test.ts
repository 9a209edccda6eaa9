// Each adapter's tap on a stream relayed untouched: usage, completion, errors, the usage report
// the relay asked for, encrypted blobs and Responses sequence numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterFor } from '../../src/adapters/registry.ts';

const options = { hideUsageReport: true, encryptedContents: true };

test('chat: the usage-only chunk is read and marked hidden; [DONE] completes; error chunks are errors', () => {
  const tap = adapterFor('chat').streamTap(options);
  const usageChunk = JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } });
  const reading = tap.read(undefined, usageChunk);
  assert.equal(reading.usage?.inputTokens, 5);
  assert.equal(reading.hiddenUsageReport, true);
  assert.equal(adapterFor('chat').streamTap({ ...options, hideUsageReport: false }).read(undefined, usageChunk).hiddenUsageReport, false);
  assert.deepEqual(tap.read(undefined, '[DONE]'), { complete: true });
  assert.equal(tap.isError(undefined, '{"error":{"message":"x"}}'), true);
});

test('anthropic: usage from message_start and message_delta together; message_stop completes; error fails', () => {
  const tap = adapterFor('anthropic').streamTap(options);
  assert.equal(tap.read('message_start', JSON.stringify({ message: { usage: { input_tokens: 10, output_tokens: 1 } } })).usage?.inputTokens, 10);
  const end = tap.read('message_delta', JSON.stringify({ usage: { output_tokens: 7 } })).usage;
  assert.deepEqual([end?.inputTokens, end?.outputTokens], [10, 7]);
  assert.deepEqual(tap.read('message_stop', '{}'), { complete: true });
  assert.deepEqual(tap.read('error', '{}'), { failed: true });
});

test('responses: sequence numbers, encrypted blobs of finished items, usage and completion from the terminal event', () => {
  const tap = adapterFor('responses').streamTap(options);
  const done = tap.read('response.output_item.done', JSON.stringify({ type: 'response.output_item.done', sequence_number: 4, item: { type: 'reasoning', encrypted_content: 'gAAA' } }));
  assert.deepEqual(done.encryptedContents, ['gAAA']);
  assert.equal(tap.nextSequence, 5);
  const completed = tap.read('response.completed', JSON.stringify({ type: 'response.completed', sequence_number: 5, response: { usage: { input_tokens: 3, output_tokens: 4 } } }));
  assert.equal(completed.complete, true);
  assert.equal(completed.usage?.outputTokens, 4);
  assert.equal(tap.isError('response.failed', '{}'), true);
});
