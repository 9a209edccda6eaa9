// Connections and storage (issue 12, item 7): header, request and keep-alive timeouts and a
// connection cap on the HTTP server (configurable by flag, env and file) that never cut a slow
// answer; unauthenticated requests counted in metrics, not written to the usage log; usage-log
// retention that prunes old rows but keeps what they charged for quotas (SQLite, and Postgres
// when one is reachable); an owner-only data directory and database; wrong admin tokens audited
// and throttled; channel tests audited; /metrics behind a token when one is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { reachable, skipUnless } from '../helpers/requirements.ts';
import { loadConfig } from '../../src/config/config.ts';
import { AdminStore } from '../../src/store/admin-store.ts';

const PG_ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgSkip = skipUnless((await reachable(PG_ADMIN, 5432)) ? [] : [`no PostgreSQL at ${PG_ADMIN} (set TEST_PG_ADMIN_URL)`]);

/** Opens a raw connection, optionally writes `data`, and resolves once it is connected. */
function rawSocket(port: number, data?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.once('connect', () => {
      if (data) socket.write(data);
      resolve(socket);
    });
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

/** True when the server closes the socket within `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readyState === 'closed') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}

const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('HTTP server timeouts and connection cap', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let port: number;

  before(async () => {
    upstream = await startUpstreamEmulator({ latencyMs: 900 });
    relay = await startTestRelay({
      config: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnections: 3 },
      channels: [{ name: 'slow', baseUrl: upstream.url, models: ['gpt-4o-mini'] }],
    });
    port = relay.relay.port;
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('a connection that sends nothing, or never finishes its headers, is closed after the headers timeout', async () => {
    const idle = await rawSocket(port);
    const partial = await rawSocket(port, 'POST /v1/chat/completions HTTP/1.1\r\nHost: relay\r\n');
    assert.equal(await closedWithin(idle, 2000), true, 'idle connection closed');
    assert.equal(await closedWithin(partial, 2000), true, 'slow headers closed');
  });

  test('a request whose body never arrives is closed after the request timeout', async () => {
    const socket = await rawSocket(port, `POST /v1/chat/completions HTTP/1.1\r\nHost: relay\r\nAuthorization: Bearer ${relay.key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`);
    assert.equal(await closedWithin(socket, 2500), true);
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout (plus Node\'s 1 s grace)', async () => {
    const socket = await rawSocket(port, 'GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n');
    assert.equal(await closedWithin(socket, 3000), true);
  });

  test('connections over the cap are refused while the others stay open', async () => {
    // Three keep-alive connections, each answered once and then idle (held open for the keep-alive timeout).
    const held = await Promise.all([1, 2, 3].map(() => rawSocket(port, 'GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n')));
    await new Promise((r) => setTimeout(r, 50));
    const extra = connect({ host: '127.0.0.1', port });
    extra.on('error', () => {});
    assert.equal(await closedWithin(extra, 200), true, 'the fourth connection is dropped at once');
    for (const s of held) s.destroy();
  });

  test('an answer slower than the request timeout is not cut', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const response = await fetch(`${relay.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${relay.key}`, 'content-type': 'application/json' }, body: chatBody() });
    assert.equal(response.status, 200);
  });

  test('defaults, and every limit settable by flag, environment or config file', async () => {
    const defaults = loadConfig({ port: 0 }, {});
    assert.deepEqual([defaults.headersTimeoutMs, defaults.requestTimeoutMs, defaults.keepAliveTimeoutMs, defaults.maxConnections], [10_000, 120_000, 65_000, 4096]);
    const fromEnv = loadConfig({ port: 0 }, { COMPACT_RELAY_HEADERS_TIMEOUT_MS: '5000', COMPACT_RELAY_REQUEST_TIMEOUT_MS: '0', COMPACT_RELAY_KEEP_ALIVE_TIMEOUT_MS: '30000', COMPACT_RELAY_MAX_CONNECTIONS: '100', COMPACT_RELAY_USAGE_RETENTION_DAYS: '90', COMPACT_RELAY_METRICS_TOKEN: 'm' });
    assert.deepEqual([fromEnv.headersTimeoutMs, fromEnv.requestTimeoutMs, fromEnv.keepAliveTimeoutMs, fromEnv.maxConnections, fromEnv.usageRetentionDays, fromEnv.metricsToken], [5000, 0, 30_000, 100, 90, 'm']);
    const fromFlags = loadConfig({ port: 0, headersTimeoutMs: '2000', maxConnections: '9' }, { COMPACT_RELAY_HEADERS_TIMEOUT_MS: '5000' });
    assert.deepEqual([fromFlags.headersTimeoutMs, fromFlags.maxConnections], [2000, 9]);
    assert.throws(() => loadConfig({ port: 0 }, { COMPACT_RELAY_MAX_CONNECTIONS: 'lots' }), /max connections/);
    const server = relay.relay.relayServer.server;
    assert.deepEqual([server.headersTimeout, server.requestTimeout, server.maxConnections], [300, 600, 3]);
  });
});

describe('anonymous traffic, metrics token, admin brakes and audits', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let admin: AdminStore;

  before(async () => {
    upstream = await startUpstreamEmulator();
    relay = await startTestRelay({ config: { metricsToken: 'metrics-token-1234' }, channels: [{ name: 'main', baseUrl: upstream.url, models: ['gpt-4o-mini'] }] });
    admin = new AdminStore(relay.relay.store.db);
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('unauthenticated requests write no usage row; metrics count them', async () => {
    const post = (key: string) => fetch(`${relay.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: chatBody() });
    for (let i = 0; i < 20; i++) assert.equal((await post('sk-not-a-key')).status, 401);
    for (let i = 0; i < 10; i++) assert.equal((await fetch(`${relay.url}/scan/${'x'.repeat(2000)}/${i}`)).status, 404);
    assert.equal((await post(relay.key)).status, 200);
    const rows = await relay.usageRows(1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await relay.usageRows(1)).length, 1, `only the authenticated request has a row: ${rows.map((r) => r.status)}`);
    const metrics = await (await fetch(`${relay.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-1234' } })).text();
    assert.match(metrics, /relay_requests_total\{endpoint="\/v1\/chat\/completions",status="401",model="",channel=""\} 20/);
    assert.match(metrics, /relay_requests_total\{endpoint="unmatched",status="404",model="",channel=""\} 10/);
  });

  test('/metrics requires its token when one is configured', async () => {
    const none = await fetch(`${relay.url}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as any).error.code, 'invalid_metrics_token');
    assert.equal((await fetch(`${relay.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${relay.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-1234' } })).status, 200);
  });

  test('channel tests are audited with their outcome', async () => {
    const token = relay.relay.adminAuth.generatedToken!;
    const result = await fetch(`${relay.url}/admin/api/channels/main/test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(result.status, 200);
    const audit = await admin.listAudit({ limit: 10, targetType: 'channel', target: 'main' });
    const row = audit.data.find((r) => r.action === 'channel.test');
    assert.ok(row, 'channel.test is in the audit log');
    assert.equal(row.details.ok, true);
  });

  test('wrong admin tokens are audited and throttled per address; while blocked even the right token is refused', async () => {
    const token = relay.relay.adminAuth.generatedToken!;
    const call = (t: string) => fetch(`${relay.url}/admin/api/keys`, { headers: { authorization: `Bearer ${t}` } });
    for (let i = 0; i < 10; i++) assert.equal((await call(`cra-admin-guess-${i}`)).status, 401);
    const blocked = await call('cra-admin-guess-10');
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 60);
    assert.equal(((await blocked.json()) as any).error.code, 'admin_auth_throttled');
    assert.equal((await call(token)).status, 429, 'a guess cannot be confirmed while blocked');
    for (let i = 0; i < 20; i++) await call(`cra-admin-more-${i}`);
    const audit = await admin.listAudit({ limit: 100, targetType: 'admin' });
    assert.equal(audit.data.filter((r) => r.action === 'admin.auth_failed').length, 10, 'each wrong token up to the brake is audited, no more');
    assert.equal(audit.data.filter((r) => r.action === 'admin.auth_throttled').length, 1);
    assert.ok(audit.data.every((r) => r.remoteAddr && !JSON.stringify(r).includes('cra-admin-guess')), 'the guessed tokens are not written down');
  });
});

async function retentionChecks(relay: TestRelay): Promise<void> {
  const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
  const base = { request_id: 'req_old', group_name: 'default', model: 'gpt-4o-mini', channel: 'main', endpoint: '/v1/chat/completions', status: 200, streamed: 0, cached_tokens: 0, reasoning_tokens: 0, latency_ms: 5 };
  const secret = await relay.addKey('veteran', 'default');
  await relay.relay.catalogStore.updateKeyOptions('veteran', { quotaTokens: 1600 });
  await relay.relay.catalog.refresh();
  for (let i = 0; i < 3; i++) relay.relay.usageLog.record({ ...base, ts: old, key_name: 'veteran', input_tokens: 400, output_tokens: 100 });
  relay.relay.usageLog.record({ ...base, ts: old, key_name: null, group_name: null, channel: null, status: 401, input_tokens: 0, output_tokens: 0 });
  relay.relay.usageLog.record({ ...base, ts: new Date().toISOString(), key_name: 'veteran', input_tokens: 10, output_tokens: 10 });
  await relay.relay.usageLog.flush();
  assert.equal(await relay.relay.usageRetention.prune(), 4, 'rows older than 30 days are pruned');
  const left = await relay.relay.usageLog.query({ limit: 100 });
  assert.deepEqual(left.map((r) => r.input_tokens), [10], 'recent rows stay');
  const rollup = await relay.relay.store.db.selectFrom('usage_rollup').selectAll().execute();
  assert.deepEqual(rollup.map((r) => [r.key_name, r.model, Number(r.input_tokens), Number(r.output_tokens), Number(r.requests)]), [['veteran', 'gpt-4o-mini', 1200, 300, 3]]);
  // 1,520 tokens charged (1,500 of them pruned): a request that may use ~210 more does not fit a 1,600-token quota.
  const answer = await fetch(`${relay.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: chatBody({ max_tokens: 200 }) });
  assert.equal(answer.status, 429, 'pruned usage still counts against the quota');
}

describe('usage-log retention', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    upstream = await startUpstreamEmulator();
    relay = await startTestRelay({ config: { usageRetentionDays: 30 }, channels: [{ name: 'main', baseUrl: upstream.url, models: ['gpt-4o-mini'] }] });
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('SQLite: old rows pruned, their charges kept for quotas', () => retentionChecks(relay));
});

describe('usage-log retention on PostgreSQL', { skip: pgSkip }, () => {
  const database = `relay_retention_${randomBytes(4).toString('hex')}`;
  let upstream: UpstreamEmulator;
  let relay: TestRelay;

  before(async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN });
    await client.connect();
    await client.query(`create database ${database}`);
    await client.end();
    upstream = await startUpstreamEmulator();
    relay = await startTestRelay({ config: { usageRetentionDays: 30, databaseUrl: PG_ADMIN.replace(/\/[^/]*$/, `/${database}`) }, channels: [{ name: 'main', baseUrl: upstream.url, models: ['gpt-4o-mini'] }] });
  });

  after(async () => {
    await relay?.close();
    await upstream?.close();
    const client = new pg.Client({ connectionString: PG_ADMIN });
    await client.connect();
    await client.query(`drop database if exists ${database} with (force)`);
    await client.end();
  });

  test('Postgres: old rows pruned, their charges kept for quotas', () => retentionChecks(relay));
});

describe('data directory and database are owner-only', () => {
  const parent = mkdtempSync(join(tmpdir(), 'relay-perms-'));
  const dataDir = join(parent, 'nested', 'data');
  let relay: TestRelay;

  before(async () => {
    relay = await startTestRelay({ config: { dataDir } });
  });

  after(async () => {
    await relay.close();
    rmSync(parent, { recursive: true, force: true });
  });

  test('0700 directory, 0600 relay.db and WAL files', { skip: process.platform === 'win32' ? 'POSIX permissions' : false }, async () => {
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    const db = join(dataDir, 'relay.db');
    assert.equal(statSync(db).mode & 0o777, 0o600);
    for (const file of [`${db}-wal`, `${db}-shm`]) if (existsSync(file)) assert.equal(statSync(file).mode & 0o777, 0o600, file);
  });
});
