// Warm compaction, turn by turn: a 200k-token session grows by one turn at a time and is compacted
// after each, as the relay does on every request. Prints per-turn milliseconds and whether the
// turn moved a retirement boundary (a compaction event) or only appended to the tail.
// Usage: node bench/compaction/warm-events.ts [turns=40]
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { compactConversation } from '../../src/compaction/index.ts';
import { generateSession } from './generator.ts';

const turns = Number(process.argv[2] ?? 40);
const options = { budgetTokens: 108_800, targetTokens: 64_000 };
const session = generateSession({ seed: 21, tokens: 200_000 });
let items: Item[] = session.conversation.items;
await compactConversation({ ...session.conversation, items }, options);
let previousSummary = '';
const rows: { turn: number; ms: number; event: boolean }[] = [];
for (let turn = 1; turn <= turns; turn++) {
  const callId = `call_warm_${turn}`;
  items = [
    ...items,
    { kind: 'message', role: 'assistant', content: [{ type: 'text', text: `Turn ${turn}: running the test again.` }] },
    { kind: 'tool_call', callId, name: 'shell', arguments: JSON.stringify({ command: 'pytest -q tests/test_stream.py' }), toolKind: 'function' },
    { kind: 'tool_result', callId, output: `tests/test_stream.py ....F\nFAILED (attempt ${turn})\n${'log line\n'.repeat(200 + turn)}`, toolKind: 'function' },
    { kind: 'message', role: 'user', content: [{ type: 'text', text: `Attempt ${turn}: decode only complete sequences.` }] },
  ];
  const conversation: Conversation = { ...session.conversation, items };
  const started = performance.now();
  const result = await compactConversation(conversation, options);
  const ms = performance.now() - started;
  const summary = JSON.stringify(result.conversation.items.find((i) => i.kind === 'message' && i.role === 'user' && JSON.stringify(i).includes('compacted by the gateway')) ?? '');
  const event = previousSummary !== '' && summary !== previousSummary;
  previousSummary = summary;
  rows.push({ turn, ms, event });
}
const steady = rows.filter((r) => !r.event).map((r) => r.ms).sort((a, b) => a - b);
const events = rows.filter((r) => r.event).map((r) => r.ms);
const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
console.log(JSON.stringify({
  turns,
  steadyTurns: steady.length,
  steadyP50: pct(steady, 0.5)?.toFixed(2),
  steadyP95: pct(steady, 0.95)?.toFixed(2),
  eventTurns: events.length,
  eventMs: events.map((x) => x.toFixed(1)),
}));
