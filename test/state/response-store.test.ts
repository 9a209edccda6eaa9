// The store of served Responses answers: per key, bounded in count and bytes, expiring; the same
// contract in memory and in Redis (the Redis half skips with a reason when no Redis is reachable).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { MemoryResponseStore, RedisResponseStore, type ResponseStore, type ResponseStoreLimits } from '../../src/state/response-store.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMITS: ResponseStoreLimits = { ttlSec: 60, maxResponsesPerKey: 3, maxBytesPerKey: 4096, maxBytes: 8192 };

const answer = (id: string, text = 'hi') => ({ id, input: [{ type: 'message', role: 'user', content: 'q' }], output: [{ type: 'message', id: `msg_${id}`, role: 'assistant', content: [{ type: 'output_text', text }] }] });

function contract(name: string, make: () => Promise<ResponseStore>) {
  test(`${name}: responses and their items per key, the oldest dropped past the bound`, async () => {
    const store = await make();
    for (const id of ['r1', 'r2', 'r3', 'r4']) await store.save('keyA', answer(id));
    assert.equal(await store.response('keyA', 'r1'), undefined, 'the oldest went first');
    assert.equal(await store.item('keyA', 'msg_r1'), undefined, 'with its items');
    assert.equal((await store.response('keyA', 'r4'))?.id, 'r4');
    assert.deepEqual(await store.item('keyA', 'msg_r4'), answer('r4').output[0]);
    assert.equal(await store.response('keyB', 'r4'), undefined, 'another key sees nothing');
    assert.equal(await store.item('keyB', 'msg_r4'), undefined);
  });
}

describe('response store in memory', () => {
  contract('memory', async () => new MemoryResponseStore(LIMITS));

  test('bounded in bytes per key and in all; expired answers are gone', async () => {
    const store = new MemoryResponseStore(LIMITS);
    await store.save('keyA', answer('big', 'x'.repeat(5000)));
    assert.equal(await store.response('keyA', 'big'), undefined, 'larger than a key may keep');
    for (let i = 0; i < 3; i++) await store.save(`key${i}`, answer(`r${i}`, 'y'.repeat(3000)));
    assert.equal(await store.response('key0', 'r0'), undefined, 'the oldest across keys went when the total was reached');
    assert.ok(await store.response('key2', 'r2'));
    const expiring = new MemoryResponseStore({ ...LIMITS, ttlSec: 0 });
    await expiring.save('keyA', answer('r1'));
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await expiring.response('keyA', 'r1'), undefined);
    assert.equal(await expiring.item('keyA', 'msg_r1'), undefined);
  });
});

const missing = (await reachable(REDIS_URL, 6379)) ? [] : [`no Redis at ${REDIS_URL} (set TEST_REDIS_URL)`];

describe('response store in Redis', { skip: skipUnless(missing) }, () => {
  const prefix = `test-rs-${process.pid}-${Date.now()}:`;
  let redis: Redis | undefined;
  const connect = () => (redis ??= new Redis(REDIS_URL, { maxRetriesPerRequest: 1 }));

  after(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  contract('redis', async () => new RedisResponseStore(connect(), prefix, LIMITS));

  test('bounded in bytes per key: a larger answer is not kept, the oldest go when the bytes are reached', async () => {
    const store = new RedisResponseStore(connect(), prefix, { ...LIMITS, maxResponsesPerKey: 100 });
    await store.save('keyBytes', answer('big', 'x'.repeat(5000)));
    assert.equal(await store.response('keyBytes', 'big'), undefined, 'larger than a key may keep');
    // Each answer costs about 2 × 900 bytes (the answer and its items): two fit in 4096, not three.
    for (const id of ['b1', 'b2', 'b3']) await store.save('keyBytes', answer(id, 'y'.repeat(700)));
    assert.equal(await store.response('keyBytes', 'b1'), undefined, 'the oldest went when the bytes were reached');
    assert.equal(await store.item('keyBytes', 'msg_b1'), undefined, 'with its items');
    assert.ok(await store.response('keyBytes', 'b3'));
    const held = Number(await connect().get(`${prefix}respbytes:keyBytes`));
    assert.ok(held > 0 && held <= LIMITS.maxBytesPerKey, `${held} bytes held`);
  });

  test('entries carry the TTL', async () => {
    const store = new RedisResponseStore(connect(), prefix, LIMITS);
    await store.save('keyT', answer('t1'));
    const ttl = await connect().ttl(`${prefix}resp:keyT:t1`);
    assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
  });
});
