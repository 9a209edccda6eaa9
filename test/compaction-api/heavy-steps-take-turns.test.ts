// Several multi-megabyte compaction requests arriving together: their bodies are parsed one per
// event-loop turn, so the loop polls (and answers /healthz) between them instead of after all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { readJsonObjectAndBytes } from '../../src/http/body.ts';
import { HEAVY_BYTES, inTurn } from '../../src/loop-turns.ts';

/** A request whose whole body arrives at once, when `deliver` is called. */
function fakeRequest(body: Buffer): { req: IncomingMessage; deliver(): void } {
  const req = Object.assign(new EventEmitter(), { headers: {} }) as unknown as IncomingMessage;
  return {
    req,
    deliver() {
      req.emit('data', body);
      req.emit('end');
    },
  };
}

/** Counts event-loop turns until stopped. */
function turnCounter() {
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return { get turns() { return turns; }, stop: () => (running = false) };
}

test('four large bodies that arrive in the same turn are parsed in four turns', async () => {
  const body = Buffer.from(JSON.stringify({ model: 'm', messages: Array.from({ length: 3000 }, (_, i) => ({ role: 'user', content: `message ${i} `.repeat(20) })) }));
  assert.ok(body.length > HEAVY_BYTES);
  const requests = Array.from({ length: 4 }, () => fakeRequest(body));
  const counter = turnCounter();
  const parsedAt: number[] = [];
  const parsed = requests.map((r) => readJsonObjectAndBytes(r.req, 10 * 1024 * 1024).then(() => parsedAt.push(counter.turns)));
  for (const r of requests) r.deliver();
  await Promise.all(parsed);
  counter.stop();
  for (let i = 1; i < parsedAt.length; i++) assert.ok(parsedAt[i] > parsedAt[i - 1], `parse ${i + 1} ran in a later turn than parse ${i} (${parsedAt.join(', ')})`);
});

test('small steps run at once; a failing heavy step lets the next one run', async () => {
  assert.equal(await inTurn(10, () => 'small'), 'small');
  await assert.rejects(inTurn(HEAVY_BYTES, () => {
    throw new Error('bad body');
  }), /bad body/);
  assert.equal(await inTurn(HEAVY_BYTES, () => 'next'), 'next');
});
