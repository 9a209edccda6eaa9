// A masked tool output still says how the command ended: the stub keeps the first error line and,
// when the output ends on another one (a traceback's exception, a test run's summary), that too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskObservations } from '../../src/compaction/masking.ts';
import type { Item } from '../../src/conversation/model.ts';

test('a masked traceback keeps its final exception line beside its first error line', () => {
  const frames = Array.from({ length: 12 }, (_, i) => `  File "src/module_${i}.py", line ${10 + i}, in step_${i}\n    step_${i + 1}()`);
  const output = ['Traceback (most recent call last):', ...frames, 'AssertionError: expected 3 items, got 2'].join('\n');
  const items: Item[] = [
    { kind: 'message', role: 'user', content: [{ type: 'text', text: 'run the tests' }] },
    { kind: 'tool_call', callId: 'c1', name: 'bash', arguments: '{"command":"python app.py"}', toolKind: 'function' },
    { kind: 'tool_result', callId: 'c1', output, toolKind: 'function' },
    { kind: 'message', role: 'assistant', content: [{ type: 'text', text: 'looking' }] },
  ];
  const masked = maskObservations(items, 3).items[2];
  assert.equal(masked.kind, 'tool_result');
  const stub = String((masked as { output: unknown }).output);
  assert.match(stub, /first error: Traceback/);
  assert.match(stub, /last error: AssertionError: expected 3 items, got 2/);
});
