// Compaction workers run below normal priority, the event loop at normal priority: on a machine
// short of cores, /healthz and plain requests get the CPU before a compaction does. Read from
// /proc (Linux), where each thread has a nice value of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Conversation } from '../../src/conversation/model.ts';
import { CompactionPool } from '../../src/compaction-api/compaction-pool.ts';
import { planningOptionsOf } from '../../src/compaction/index.ts';

/** Nice value of each thread of this process, by thread id. */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, nice field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), Number(fields[16]));
  }
  return out;
}

test('a compaction worker thread runs below normal priority; the event loop does not', { skip: !existsSync('/proc/self/task') && 'needs /proc' }, async () => {
  const initial = threadNices();
  const before = new Set(initial.keys());
  const pool = new CompactionPool({ size: 1 });
  try {
    const conversation: Conversation = { items: [{ kind: 'message', role: 'user', content: [{ type: 'text', text: 'hello' }] }], tools: [] };
    await pool.run({ conversation, options: planningOptionsOf({ budgetTokens: 8000 }), plans: [] });
    const nices = threadNices();
    const added = [...nices].filter(([tid]) => !before.has(tid));
    assert.ok(added.some(([, nice]) => nice >= 10), `a new thread runs at nice 10 or more (${JSON.stringify(added)})`);
    assert.equal(nices.get(process.pid), initial.get(process.pid), 'the event loop thread keeps its priority');
  } finally {
    await pool.close();
  }
});
