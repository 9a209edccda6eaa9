// The estimate reserved before forwarding: the text a model reads counted exactly, images and
// blobs not, tool schemas as JSON, any of the three output caps, and no stack overflow on a
// deeply nested body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRequestTokens, requestedOutputCap } from '../../src/access/token-estimate.ts';

test('input counted with the tokenizer; the output cap from any wire format, else the default', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'word '.repeat(1000) }] };
  const estimate = estimateRequestTokens(body, 500);
  assert.ok(estimate.input >= 1000 && estimate.input < 1050, String(estimate.input));
  assert.equal(estimate.output, 500);
  assert.equal(requestedOutputCap({ max_tokens: 7 }), 7);
  assert.equal(requestedOutputCap({ max_completion_tokens: 8, max_tokens: 7 }), 8);
  assert.equal(requestedOutputCap({ max_output_tokens: 9 }), 9);
  assert.equal(requestedOutputCap({ max_tokens: -1 }), undefined);
});

test('base64 images and encrypted blobs are not counted as text; tool schemas are', () => {
  const image = 'data:image/png;base64,' + 'A'.repeat(200_000);
  const withImage = estimateRequestTokens({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: image } }, { type: 'text', text: 'what is this?' }] }] });
  assert.ok(withImage.input < 50, String(withImage.input));
  const blob = estimateRequestTokens({ model: 'm', input: [{ type: 'reasoning', encrypted_content: 'x'.repeat(100_000) }] });
  assert.ok(blob.input < 20, String(blob.input));
  const properties = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`parameter_number_${i}`, { type: 'string' }]));
  const tools = estimateRequestTokens({ model: 'm', messages: [], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties } } }] });
  assert.ok(tools.input > 250, `property names count: ${tools.input}`);
});

test('a deeply nested body is walked without recursion', () => {
  let nested: unknown = 'leaf';
  for (let i = 0; i < 200_000; i++) nested = [nested];
  assert.ok(estimateRequestTokens({ model: 'm', messages: [{ role: 'user', content: nested }] }).input > 0);
});
