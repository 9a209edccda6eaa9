// Three relay processes on one PostgreSQL and one Redis, as in a scaled-out deployment: a key
// limited to N requests per minute gets N accepted in total; every served request has its usage
// row; a summary computed by one instance is reused by another; session affinity holds across
// instances and fails over when its channel breaks. Runs against the real servers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { SUMMARY_SECTIONS } from '../../src/compaction/index.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const PG_ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = promisify(execFile);
const skip = skipUnless([
  ...((await reachable(PG_ADMIN, 5432)) ? [] : [`no PostgreSQL at ${PG_ADMIN} (set TEST_PG_ADMIN_URL)`]),
  ...((await reachable(REDIS_URL, 6379)) ? [] : [`no Redis at ${REDIS_URL} (set TEST_REDIS_URL)`]),
]);

describe('three instances on one Postgres and one Redis', { skip }, () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `relay_test_${suffix}`;
  const databaseUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${database}`);
  const prefix = `cr-test-${suffix}:`;
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, COMPACT_RELAY_REDIS_PREFIX: prefix, COMPACT_RELAY_ACCESS_LOG: 'false' };
  let a: UpstreamEmulator;
  let b: UpstreamEmulator;
  const servers: { child: ChildProcess; url: string }[] = [];
  let limitedKey = '';
  let freeKey = '';

  const cli = (...args: string[]) => run(process.execPath, [MAIN, ...args], { env });

  before(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    a = await startUpstreamEmulator({ replyText: 'from A' });
    b = await startUpstreamEmulator({ replyText: 'from B' });
    await cli('init');
    await cli('groups', 'add', '--name', 'team', '--models', '*', '--compaction-strategy', 'model');
    limitedKey = (await cli('keys', 'create', '--name', 'limited', '--group', 'team')).stdout.trim();
    freeKey = (await cli('keys', 'create', '--name', 'free', '--group', 'team')).stdout.trim();
    await cli('keys', 'limits', 'limited', '--rpm', '10');
    await cli('channels', 'add', '--name', 'chan-a', '--type', 'openai-chat', '--base-url', a.url, '--models', 'gpt-4o-mini');
    await cli('channels', 'add', '--name', 'chan-b', '--type', 'openai-chat', '--base-url', b.url, '--models', 'gpt-4o-mini');
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`instance ${i} did not start: ${out}`)), 20_000);
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.stderr!.on('data', (d) => (out += d));
      });
      servers.push({ child, url });
    }
  });

  after(async () => {
    await Promise.all(servers.map(({ child }) => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    })));
    await a?.close();
    await b?.close();
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const post = (server: number, path: string, key: string, body: unknown) =>
    fetch(`${servers[server].url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('a key limited to 10 requests per minute gets 10 accepted across all instances, each with its usage row', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 6; round++) {
      const batch = await Promise.all([0, 1, 2, 0, 1].map(async (s) => {
        const response = await post(s, '/v1/chat/completions', limitedKey, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `r${round}` }] });
        await response.text();
        return response.status;
      }));
      statuses.push(...batch);
    }
    assert.equal(statuses.filter((s) => s === 200).length, 10, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 20);
    await new Promise((r) => setTimeout(r, 800));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db.query(`select status, count(*)::int as n from usage where key_name = 'limited' group by status`);
    await db.end();
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    assert.deepEqual(byStatus, { 200: 10, 429: 20 }, 'one usage row per request, in the shared store');
  });

  test('a summary computed by one instance is reused by another', async () => {
    const input: any[] = [{ role: 'user', content: 'Port the CLI to Rust; keep flags identical.' }];
    for (let i = 0; i < 10; i++) {
      input.push({ type: 'function_call', call_id: `c${i}`, name: 'shell', arguments: JSON.stringify({ command: `cargo build ${i}` }) });
      input.push({ type: 'function_call_output', call_id: `c${i}`, output: `build ${i}\n` + 'warning: unused\n'.repeat(100) });
    }
    const summary = SUMMARY_SECTIONS.map((s) => `${s}\nshared summary`).join('\n');
    a.script([{ text: summary }]);
    b.script([{ text: summary }]);
    const isSummaryCall = (r: { body: any }) => JSON.stringify(r.body).includes('handoff summaries');
    const before = [...a.requests, ...b.requests].filter(isSummaryCall).length;
    const first: any = await (await post(0, '/v1/responses/compact', freeKey, { model: 'gpt-4o-mini', input })).json();
    const second: any = await (await post(2, '/v1/responses/compact', freeKey, { model: 'gpt-4o-mini', input })).json();
    assert.match(first.output.at(-1).content[0].text, /shared summary/);
    assert.equal(second.output.at(-1).content[0].text, first.output.at(-1).content[0].text);
    assert.equal([...a.requests, ...b.requests].filter(isSummaryCall).length - before, 1, 'the second instance found the summary in the shared cache');
  });

  test('affinity holds across instances while the channel is healthy, and fails over when it breaks', async () => {
    a.reset();
    b.reset();
    const ask = async (server: number) => {
      const response = await post(server, '/v1/chat/completions', freeKey, { model: 'gpt-4o-mini', prompt_cache_key: 'shared-session', messages: [{ role: 'user', content: 'x' }] });
      const body: any = await response.json();
      return body.choices?.[0]?.message?.content as string;
    };
    const answers = new Set<string>();
    for (let i = 0; i < 9; i++) answers.add(await ask(i % 3));
    assert.equal(answers.size, 1, `one channel served the session: ${[...answers]}`);
    const home = [...answers][0];
    (home === 'from A' ? a : b).setFault({ kind: 'status', status: 503 });
    const moved = new Set<string>();
    for (let i = 0; i < 6; i++) moved.add(await ask(i % 3));
    assert.deepEqual([...moved], [home === 'from A' ? 'from B' : 'from A'], 'every instance failed over to the healthy channel');
    (home === 'from A' ? a : b).setFault(null);
  });
});
