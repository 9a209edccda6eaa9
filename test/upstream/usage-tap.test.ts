// Usage read from whole upstream answers without parsing them: the cut-out `usage` object must be
// exactly what a full parse finds, whatever the content around it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { usageObjectText } from '../../src/upstream/usage-tap.ts';

test('the usage object is found after content full of braces, quotes and the word usage', () => {
  const body = JSON.stringify({
    id: 'chatcmpl-1',
    choices: [{ message: { content: 'a "usage": {"prompt_tokens": 999} } { \\" trap' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } },
    system_fingerprint: 'fp_x',
  }, null, 1);
  assert.deepEqual(JSON.parse(usageObjectText(body)!), { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } });
});

test('no usage, or a usage that is not an object, gives undefined (the caller then parses it all)', () => {
  assert.equal(usageObjectText('{"id":"x","choices":[]}'), undefined);
  assert.equal(usageObjectText('{"usage":{"input_tokens":1},"metadata":{"usage":"echoed"}}'), undefined);
  assert.equal(usageObjectText('{"id":"x","usage":null}'), undefined);
  assert.equal(usageObjectText('{"id":"x","usage":{"a":1'), undefined);
});

test('on any answer with a top-level usage, the cut-out object equals the parsed one', () => {
  const usage = fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat(), input_tokens_details: fc.record({ cached_tokens: fc.nat() }) });
  // What follows usage in real answers (user, metadata, system_fingerprint) holds no "usage" object.
  const after = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"usage"'));
  fc.assert(fc.property(fc.jsonValue(), usage, after, fc.boolean(), (before, u, after, pretty) => {
    const answer = { output: before, usage: u, metadata: after };
    const text = pretty ? JSON.stringify(answer, null, 2) : JSON.stringify(answer);
    assert.deepEqual(JSON.parse(usageObjectText(text)!), JSON.parse(text).usage);
  }), { numRuns: 300 });
});
