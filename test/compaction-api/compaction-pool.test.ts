// The compaction worker pool: the same decisions as in process, budget errors typed as before,
// and a full queue refused at once with an OpenAI-shaped 503 carrying Retry-After.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { CompactionPool } from '../../src/compaction-api/compaction-pool.ts';
import { stableCompactionStep } from '../../src/compaction/stable-plan.ts';
import { planningOptionsOf } from '../../src/compaction/index.ts';
import { GatewayError } from '../../src/errors.ts';

const msg = (role: 'user' | 'assistant' | 'system', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });

function session(turns: number): Conversation {
  const items: Item[] = [msg('system', 'You are a coding agent.'), msg('user', 'Task: make the parser accept empty input.')];
  for (let n = 1; n <= turns; n++) {
    items.push(msg('assistant', `Step ${n}.`));
    items.push({ kind: 'tool_call', callId: `c${n}`, name: 'shell', arguments: JSON.stringify({ command: `cat src/m${n}.ts` }), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId: `c${n}`, output: Array.from({ length: 30 }, (_, k) => `export const v${n}_${k} = ${k * n};`).join('\n'), toolKind: 'function' });
  }
  return { items, tools: [] };
}

test('a worker decides exactly what the engine decides in process', async () => {
  const pool = new CompactionPool({ size: 1, queueLimit: 2 });
  try {
    const conversation = session(120);
    const options = planningOptionsOf({ budgetTokens: 8000, targetTokens: 5000 });
    const inWorker = await pool.run({ conversation, options, plans: [] });
    const inProcess = stableCompactionStep(conversation, options, []);
    assert.deepEqual(inWorker.planned.layout, inProcess.planned.layout);
    assert.equal(inWorker.planned.report.tokensAfter, inProcess.planned.report.tokensAfter);
    assert.ok(inWorker.newPlan, 'the event made a plan');
  } finally {
    await pool.close();
  }
});

test('an unreachable budget is the same typed 400 from a worker', async () => {
  const pool = new CompactionPool({ size: 1 });
  try {
    const conversation = { ...session(5), instructions: 'A long system prompt. '.repeat(400) };
    await assert.rejects(pool.run({ conversation, options: planningOptionsOf({ budgetTokens: 300 }), plans: [] }), (err: any) => err instanceof GatewayError && err.status === 400 && err.code === 'context_budget_unreachable');
  } finally {
    await pool.close();
  }
});

test('over the queue limit a compaction is refused at once with 503 and Retry-After', async () => {
  const pool = new CompactionPool({ size: 1, queueLimit: 1 });
  try {
    const options = planningOptionsOf({ budgetTokens: 20_000, targetTokens: 12_000 });
    const running = pool.run({ conversation: session(900), options, plans: [] });
    const waiting = pool.run({ conversation: session(901), options, plans: [] });
    const started = performance.now();
    const refused = await pool.run({ conversation: session(902), options, plans: [] }).then(() => undefined, (err) => err);
    assert.ok(performance.now() - started < 200, 'refused without waiting');
    assert.ok(refused instanceof GatewayError, String(refused));
    assert.equal(refused.status, 503);
    assert.equal(refused.code, 'compaction_overloaded');
    assert.deepEqual(Object.keys(refused.toBody().error).sort(), ['code', 'message', 'param', 'type']);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    await Promise.all([running, waiting]);
    assert.deepEqual(pool.load, { running: 0, queued: 0 });
  } finally {
    await pool.close();
  }
});

test('an idle worker is stopped after the idle timeout, and a new one starts for the next task', async () => {
  const pool = new CompactionPool({ size: 1, idleTimeoutMs: 50 });
  try {
    const options = planningOptionsOf({ budgetTokens: 8000, targetTokens: 5000 });
    await pool.run({ conversation: session(60), options, plans: [] });
    assert.equal(pool.workers, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(pool.workers, 0, 'the idle worker gave its memory back');
    const again = await pool.run({ conversation: session(60), options, plans: [] });
    assert.ok(again.planned.layout);
  } finally {
    await pool.close();
  }
});

test('the pool size, queue limit and plan memory are read from the environment and the config file', async () => {
  const { loadConfig } = await import('../../src/config/config.ts');
  const env = loadConfig({}, { COMPACT_RELAY_COMPACTION_WORKERS: '3', COMPACT_RELAY_COMPACTION_QUEUE: '0', COMPACT_RELAY_PLAN_CACHE_MB: '8' });
  assert.deepEqual([env.compactionWorkers, env.compactionQueueLimit, env.compactionPlanCacheMb], [3, 0, 8]);
  const defaults = loadConfig({}, {});
  assert.deepEqual([defaults.compactionWorkers, defaults.compactionQueueLimit, defaults.compactionPlanCacheMb], [undefined, undefined, 64]);
  assert.throws(() => loadConfig({}, { COMPACT_RELAY_COMPACTION_WORKERS: 'many' }), /COMPACT_RELAY_COMPACTION_WORKERS must be a whole number/);
  assert.throws(() => loadConfig({}, { COMPACT_RELAY_PLAN_CACHE_MB: 'lots' }), /COMPACT_RELAY_PLAN_CACHE_MB must be a number > 0/);
  const pool = new CompactionPool();
  assert.ok(pool.size >= 1 && pool.queueLimit >= 8, 'by default sized to the machine');
  await pool.close();
});
