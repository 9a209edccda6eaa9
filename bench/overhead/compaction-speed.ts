// Compaction engine speed for the overhead page: deterministic layers (ledger strategy) on generated
// sessions, cold (fresh process, token counts not cached) per 100k tokens, and warm for a 200k-token
// session where only the newest turn is new. Run as a child of run.ts; prints one JSON line.
import { compactConversation, type CompactionOptions } from '../../src/compaction/index.ts';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { generateSession } from '../compaction/generator.ts';

export interface CompactionSpeed {
  window: number;
  budgetTokens: number;
  targetTokens: number;
  cold: { sessions: number; sessionTokens: number[]; msPer100k: number[]; p50: number; p95: number };
  warm: { sessionTokens: number; turns: number; ms: number[]; p50: number; p95: number };
}

const WINDOW = 128_000;
const OPTIONS: CompactionOptions = { budgetTokens: Math.floor(WINDOW * 0.85), targetTokens: Math.floor(WINDOW * 0.5), strategy: 'ledger' };

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const r2 = (n: number) => Math.round(n * 100) / 100;

function newTurn(turn: number): Item[] {
  const callId = `call_new_${turn}`;
  return [
    { kind: 'message', role: 'assistant', content: [{ type: 'text', text: `Turn N+${turn}: running the focused test again after the edit.` }] },
    { kind: 'tool_call', callId, name: 'shell', arguments: JSON.stringify({ command: 'pytest -q tests/test_stream.py' }), toolKind: 'function' },
    { kind: 'tool_result', callId, output: `tests/test_stream.py ........F\nFAILED tests/test_stream.py::test_unicode_boundary (attempt ${turn})\n1 failed, 8 passed in 0.4s`, toolKind: 'function' },
    { kind: 'message', role: 'user', content: [{ type: 'text', text: `Try decoding only complete sequences (attempt ${turn}).` }] },
  ];
}

async function timeCompaction(conversation: Conversation): Promise<{ ms: number; tokensBefore: number }> {
  const started = performance.now();
  const result = await compactConversation(conversation, OPTIONS);
  return { ms: performance.now() - started, tokensBefore: result.report.tokensBefore };
}

/** Child mode: sessions arrive as JSON, so none of their token counts are cached in this process. */
async function measure(sessions: Conversation[], warmTurns: number): Promise<CompactionSpeed> {
  // JIT warm-up on a session of its own; its texts do not repeat in the measured ones.
  await timeCompaction(sessions[0]);
  const coldRuns = [];
  for (const conversation of sessions.slice(1)) coldRuns.push(await timeCompaction(conversation));
  const msPer100k = coldRuns.map((r) => r2((r.ms * 100_000) / r.tokensBefore));

  const base = sessions[sessions.length - 1];
  let items = [...base.items];
  await timeCompaction({ ...base, items });
  const warm: number[] = [];
  for (let turn = 1; turn <= warmTurns; turn++) {
    items = [...items, ...newTurn(turn)];
    warm.push(r2((await timeCompaction({ ...base, items })).ms));
  }
  return {
    window: WINDOW,
    budgetTokens: OPTIONS.budgetTokens,
    targetTokens: OPTIONS.targetTokens as number,
    cold: { sessions: coldRuns.length, sessionTokens: coldRuns.map((r) => r.tokensBefore), msPer100k, p50: quantile(msPer100k, 0.5), p95: quantile(msPer100k, 0.95) },
    warm: { sessionTokens: coldRuns[coldRuns.length - 1].tokensBefore, turns: warmTurns, ms: warm, p50: quantile(warm, 0.5), p95: quantile(warm, 0.95) },
  };
}

if (import.meta.main) {
  const mode = process.argv[2];
  if (mode === 'generate') {
    // Parent side: generate `count` sessions of ~200k tokens and print them as JSON.
    const count = Number(process.argv[3] ?? 5);
    const sessions = [];
    for (let seed = 1; seed <= count; seed++) sessions.push(generateSession({ seed: 1000 + seed, tokens: 200_000 }).conversation);
    process.stdout.write(JSON.stringify(sessions));
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const sessions = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Conversation[];
    const result = await measure(sessions, Number(process.argv[3] ?? 10));
    console.log('BENCH_RESULT ' + JSON.stringify(result));
  }
}
