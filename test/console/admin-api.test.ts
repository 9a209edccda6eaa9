// Admin API tests: admin-token auth (separate from API keys), every resource through HTTP, the
// audit log, upstream keys never returned, usage filters, cursor pagination and aggregates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';
import { startRelay } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { buildOpenApiDocument } from '../../src/console/openapi.ts';
import { ADMIN_OPERATIONS } from '../../src/console/operations.ts';

const UPSTREAM_SECRET = 'upstream-secret-do-not-leak-1234';

describe('admin API', () => {
  let upstream: UpstreamEmulator;
  let relay: TestRelay;
  let token: string;

  const admin = async (method: string, path: string, body?: unknown, auth: string | null = token) => {
    const res = await fetch(relay.url + path, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  before(async () => {
    upstream = await startUpstreamEmulator({ port: 0, apiKey: UPSTREAM_SECRET, models: ['gpt-4o-mini'] });
    relay = await startTestRelay();
    token = relay.relay.adminAuth.generatedToken!;
    assert.ok(token, 'a fresh data dir generates an admin token');
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('auth: no token, a wrong token and an API key are all 401; the admin token is not an API key', async () => {
    const none = await admin('GET', '/admin/api/keys', undefined, null);
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'missing_admin_token');
    assert.equal(none.json.error.type, 'authentication_error');
    const wrong = await admin('GET', '/admin/api/keys', undefined, token + 'x');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'invalid_admin_token');
    const apiKey = await admin('GET', '/admin/api/keys', undefined, relay.key);
    assert.equal(apiKey.status, 401);
    const templated = await admin('POST', '/admin/api/keys/test-key/revoke', undefined, relay.key);
    assert.equal(templated.status, 401, 'path-parameter routes are protected too');
    const asApiKey = await fetch(`${relay.baseURL}/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asApiKey.status, 401);
    const me = await admin('GET', '/admin/api/me');
    assert.equal(me.status, 200);
    assert.match(me.json.actor, /^admin:[0-9a-f]{12}$/);
  });

  test('the token is stored only as a hash and survives a restart; COMPACT_RELAY_ADMIN_TOKEN takes over', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-admin-'));
    const start = () => startRelay({ ...loadConfig({ port: 0, dataDir }, {}), logLevel: 'silent' }, pino({ level: 'silent' }));
    try {
      const first = await start();
      const generated = first.adminAuth.generatedToken!;
      const meta = await first.store.db.selectFrom('meta').selectAll().execute();
      assert.ok(!JSON.stringify(meta).includes(generated), 'the plain token is not in the store');
      await first.close();
      const second = await start();
      assert.equal(second.adminAuth.generatedToken, undefined, 'printed only on the first start');
      const ok = await fetch(`${second.url}/admin/api/me`, { headers: { authorization: `Bearer ${generated}` } });
      assert.equal(ok.status, 200);
      await second.close();
      process.env.COMPACT_RELAY_ADMIN_TOKEN = 'env-admin-token-0123456789';
      const third = await start();
      delete process.env.COMPACT_RELAY_ADMIN_TOKEN;
      try {
        assert.equal((await fetch(`${third.url}/admin/api/me`, { headers: { authorization: 'Bearer env-admin-token-0123456789' } })).status, 200);
        assert.equal((await fetch(`${third.url}/admin/api/me`, { headers: { authorization: `Bearer ${generated}` } })).status, 401);
      } finally {
        await third.close();
      }
    } finally {
      delete process.env.COMPACT_RELAY_ADMIN_TOKEN;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('groups: create, validation naming the field, conflict, read, update, delete', async () => {
    const created = await admin('POST', '/admin/api/groups', { name: 'team', models: ['gpt-4o-mini'], compaction: { strategy: 'ledger' }, limits: { rpm: 60 } });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json, { name: 'team', models: ['gpt-4o-mini'], compaction: { strategy: 'ledger' }, limits: { rpm: 60 }, source: 'admin-api', activeKeys: 0 });
    assert.equal((await admin('POST', '/admin/api/groups', { name: 'team', models: ['x'] })).status, 409);
    const noModels = await admin('POST', '/admin/api/groups', { name: 'bad', models: [] });
    assert.equal(noModels.status, 400);
    assert.equal(noModels.json.error.param, 'models');
    const typo = await admin('POST', '/admin/api/groups', { name: 'bad', models: ['a'], modles: ['a'] });
    assert.equal(typo.status, 400);
    assert.equal(typo.json.error.param, 'modles');
    const badStrategy = await admin('POST', '/admin/api/groups', { name: 'bad', models: ['a'], compaction: { strategy: 'magic' } });
    assert.equal(badStrategy.json.error.param, 'compaction.strategy');
    const notJson = await fetch(relay.url + '/admin/api/groups', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{nope' });
    assert.equal(notJson.status, 400);

    const updated = await admin('PATCH', '/admin/api/groups/team', { models: ['gpt-4o-mini', 'gpt-4o'], compaction: null, limits: { rpm: null, tpm: 1000 } });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.json.models, ['gpt-4o-mini', 'gpt-4o']);
    assert.equal(updated.json.compaction, null);
    assert.deepEqual(updated.json.limits, { tpm: 1000 });
    assert.equal((await admin('GET', '/admin/api/groups/team')).json.name, 'team');
    assert.equal((await admin('GET', '/admin/api/groups/nope')).status, 404);
    const list = await admin('GET', '/admin/api/groups');
    assert.deepEqual(list.json.data.map((g: any) => g.name).sort(), ['default', 'team']);

    await admin('POST', '/admin/api/groups', { name: 'doomed', models: ['*'] });
    assert.equal((await admin('DELETE', '/admin/api/groups/doomed')).status, 200);
    assert.equal((await admin('GET', '/admin/api/groups/doomed')).status, 404);
    const inUse = await admin('DELETE', '/admin/api/groups/default');
    assert.equal(inUse.status, 409, 'a group with active keys stays');
  });

  test('keys: secret shown once, works at once, limits stored, group change, revoke stops it at once', async () => {
    const created = await admin('POST', '/admin/api/keys', { name: 'alice', group: 'default', limits: { rpm: 30, quotaTokens: 100000, quotaUsd: 2.5 } });
    assert.equal(created.status, 201);
    const secret: string = created.json.secret;
    assert.match(secret, /^sk-cr-/);
    assert.equal(created.json.key.prefix, secret.slice(0, created.json.key.prefix.length));
    assert.deepEqual(created.json.key.limits, { rpm: 30, quotaTokens: 100000, quotaUsd: 2.5 });
    const stored = (await relay.relay.catalogStore.listKeys()).find((k) => k.name === 'alice')!;
    assert.deepEqual(stored.options, { rpm: 30, quotaTokens: 100000, quotaUsd: 2.5 }, 'limits live in the key options the limiter reads');

    const client = new OpenAI({ apiKey: secret, baseURL: relay.baseURL, maxRetries: 0 });
    await client.models.list();

    const listing = await admin('GET', '/admin/api/keys');
    assert.ok(!listing.text.includes(secret), 'the secret is never listed');
    assert.ok(!listing.text.includes(stored.keyHash), 'nor its hash');
    assert.equal((await admin('GET', '/admin/api/keys/alice')).text.includes(secret), false);

    assert.equal((await admin('POST', '/admin/api/keys', { name: 'alice', group: 'default' })).status, 409);
    const noGroup = await admin('POST', '/admin/api/keys', { name: 'bob', group: 'missing' });
    assert.equal(noGroup.status, 404);
    assert.equal(noGroup.json.error.param, 'group');
    const badLimit = await admin('POST', '/admin/api/keys', { name: 'bob', group: 'default', limits: { rpm: -1 } });
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.json.error.param, 'limits.rpm');
    const badName = await admin('POST', '/admin/api/keys', { name: 'has space', group: 'default' });
    assert.equal(badName.json.error.param, 'name');

    const moved = await admin('PATCH', '/admin/api/keys/alice', { group: 'team', limits: { rpm: null, concurrency: 2 } });
    assert.equal(moved.status, 200);
    assert.equal(moved.json.group, 'team');
    assert.deepEqual(moved.json.limits, { quotaTokens: 100000, quotaUsd: 2.5, concurrency: 2 });
    assert.equal(relay.relay.catalog.current.authenticate(secret)?.group.name, 'team', 'the running catalog sees the new group');

    const revoked = await admin('POST', '/admin/api/keys/alice/revoke');
    assert.equal(revoked.status, 200);
    assert.equal(revoked.json.active, false);
    await assert.rejects(client.models.list(), (err: any) => err.status === 401);
    assert.equal((await admin('POST', '/admin/api/keys/alice/revoke')).status, 409);
    assert.equal((await admin('POST', '/admin/api/keys/nobody/revoke')).status, 404);
    assert.equal((await admin('POST', '/admin/api/keys/alice/explode')).status, 404);
    assert.equal((await admin('PUT', '/admin/api/keys/alice')).status, 405);
  });

  test('channels: add, edit, disable, enable, test the connection, remove; the upstream key is never returned', async () => {
    const created = await admin('POST', '/admin/api/channels', { name: 'emu', type: 'openai-chat', baseUrl: upstream.url, apiKey: UPSTREAM_SECRET, models: ['gpt-4o-mini'], contextWindow: 128000 });
    assert.equal(created.status, 201);
    assert.equal(created.json.apiKeySet, true);
    assert.equal(created.json.contextWindow, 128000);
    assert.ok(!created.text.includes(UPSTREAM_SECRET));
    const badUrl = await admin('POST', '/admin/api/channels', { name: 'x', type: 'openai-chat', baseUrl: 'ftp://x', models: ['m'] });
    assert.equal(badUrl.status, 400);
    assert.equal(badUrl.json.error.param, 'baseUrl');
    const badType = await admin('POST', '/admin/api/channels', { name: 'x', type: 'carrier-pigeon', baseUrl: 'http://x', models: ['m'] });
    assert.equal(badType.json.error.param, 'type');

    const test1 = await admin('POST', '/admin/api/channels/emu/test');
    assert.equal(test1.status, 200);
    assert.equal(test1.json.ok, true);
    assert.equal(test1.json.status, 200);
    assert.ok(test1.json.modelCount >= 1);
    assert.ok(test1.json.latencyMs >= 0);

    const edited = await admin('PATCH', '/admin/api/channels/emu', { priority: 5, aliases: { mini: 'gpt-4o-mini' }, contextWindow: null });
    assert.equal(edited.status, 200);
    assert.equal(edited.json.priority, 5);
    assert.deepEqual(edited.json.aliases, { mini: 'gpt-4o-mini' });
    assert.equal(edited.json.contextWindow, null);
    assert.equal((await admin('POST', '/admin/api/channels/emu/test')).json.ok, true, 'editing without apiKey keeps the key');

    const wrongKey = await admin('PATCH', '/admin/api/channels/emu', { apiKey: 'wrong-key-wrong-key' });
    assert.equal(wrongKey.json.apiKeySet, true);
    const failed = await admin('POST', '/admin/api/channels/emu/test');
    assert.equal(failed.json.ok, false);
    assert.equal(failed.json.status, 401);
    assert.ok(!failed.text.includes('wrong-key-wrong-key'));
    await admin('PATCH', '/admin/api/channels/emu', { apiKey: UPSTREAM_SECRET });

    const unreachable = await admin('POST', '/admin/api/channels', { name: 'dead', type: 'openai-chat', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'] });
    assert.equal(unreachable.status, 201);
    const dead = await admin('POST', '/admin/api/channels/dead/test');
    assert.equal(dead.json.ok, false);
    assert.equal(dead.json.status, null);
    assert.match(dead.json.error, /connect/);

    const disabled = await admin('POST', '/admin/api/channels/emu/disable');
    assert.equal(disabled.json.enabled, false);
    assert.equal(relay.relay.catalog.current.channelsFor('gpt-4o-mini').length, 0);
    const enabled = await admin('POST', '/admin/api/channels/emu/enable');
    assert.equal(enabled.json.enabled, true);
    assert.equal(relay.relay.catalog.current.channelsFor('gpt-4o-mini').length, 1);

    const list = await admin('GET', '/admin/api/channels');
    assert.ok(!list.text.includes(UPSTREAM_SECRET));
    assert.deepEqual(list.json.data.map((c: any) => c.name).sort(), ['dead', 'emu']);
    assert.equal((await admin('DELETE', '/admin/api/channels/dead')).status, 200);
    assert.equal((await admin('GET', '/admin/api/channels/dead')).status, 404);
  });

  test('usage: rows appear for API calls (not for admin calls), filters, cursor pagination, aggregates with compaction savings', async () => {
    const secret = (await admin('POST', '/admin/api/keys', { name: 'usage-key', group: 'default' })).json.secret;
    const client = new OpenAI({ apiKey: secret, baseURL: relay.baseURL, maxRetries: 0 });
    for (let i = 0; i < 5; i++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello number ${i}` }] });
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }));
    const now = new Date().toISOString();
    for (const [before, after] of [[50_000, 8_000], [30_000, 6_000]]) {
      relay.relay.usageLog.record({
        ts: now, request_id: `req_compact_${before}`, key_name: 'usage-key', group_name: 'default', model: 'gpt-4o-mini', channel: 'emu', endpoint: '/v1/responses/compact',
        status: 200, streamed: 0, input_tokens: before, output_tokens: 100, cached_tokens: 0, reasoning_tokens: 0, latency_ms: 900, ttfb_ms: 900, error_code: null,
        compaction_strategy: 'model', compaction_tokens_before: before, compaction_tokens_after: after, summarizer_model: 'gpt-4o-mini', summarizer_input_tokens: 40_000, summarizer_output_tokens: 1_500,
      });
    }

    const all = await admin('GET', '/admin/api/usage?key=usage-key&limit=100');
    assert.equal(all.status, 200);
    assert.equal(all.json.data.length, 8);
    assert.ok(all.json.data.every((r: any) => r.key_name === 'usage-key'));
    assert.ok(all.json.data.every((r: any) => !r.endpoint.startsWith('/admin')), 'admin calls are not usage');
    const ok = all.json.data.filter((r: any) => r.status === 200 && r.endpoint === '/v1/chat/completions');
    assert.equal(ok.length, 5);
    assert.ok(ok.every((r: any) => r.input_tokens > 0 && r.output_tokens > 0 && r.channel === 'emu'));

    const pages: number[][] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: any = await admin('GET', `/admin/api/usage?key=usage-key&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.json.data.map((r: any) => r.id));
      cursor = page.json.next_cursor;
      assert.ok(pages.length < 10);
    }
    const ids = pages.flat();
    assert.equal(ids.length, 8);
    assert.equal(new Set(ids).size, 8, 'pages do not overlap');
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');

    const errors = await admin('GET', '/admin/api/usage?key=usage-key&status=error');
    assert.equal(errors.json.data.length, 1);
    assert.ok(errors.json.data[0].status >= 400);
    const byStatus = await admin('GET', `/admin/api/usage?key=usage-key&status=${errors.json.data[0].status}`);
    assert.equal(byStatus.json.data.length, 1);
    const compacted = await admin('GET', '/admin/api/usage?compacted=true');
    assert.equal(compacted.json.data.length, 2);
    assert.equal((await admin('GET', '/admin/api/usage?model=gpt-4o-mini&channel=nope')).json.data.length, 0);
    const future = await admin('GET', `/admin/api/usage?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    assert.equal(future.json.data.length, 0);
    const badStatus = await admin('GET', '/admin/api/usage?status=teapot');
    assert.equal(badStatus.status, 400);
    assert.equal(badStatus.json.error.param, 'status');
    const badSince = await admin('GET', '/admin/api/usage?since=yesterday');
    assert.equal(badSince.json.error.param, 'since');
    assert.equal((await admin('GET', '/admin/api/usage?limit=0')).json.error.param, 'limit');

    const summary = await admin('GET', '/admin/api/usage/summary?key=usage-key&bucket=minute');
    assert.equal(summary.status, 200);
    assert.equal(summary.json.bucket, 'minute');
    assert.equal(summary.json.totals.requests, 8);
    assert.equal(summary.json.totals.errors, 1);
    assert.equal(summary.json.totals.compactions, 2);
    assert.equal(summary.json.totals.tokens_saved, (50_000 - 8_000) + (30_000 - 6_000));
    assert.equal(summary.json.totals.summarizer_tokens, 2 * 41_500);
    const tokensInRows = all.json.data.reduce((n: number, r: any) => n + r.input_tokens, 0);
    assert.equal(summary.json.totals.input_tokens, tokensInRows);
    assert.ok(summary.json.totals.p50_latency_ms !== null && summary.json.totals.p95_latency_ms >= summary.json.totals.p50_latency_ms);
    assert.ok([24 * 60, 24 * 60 + 1].includes(summary.json.series.length), 'a day of minutes (both partial ends), empty ones included');
    const busy = summary.json.series.filter((b: any) => b.requests > 0);
    assert.equal(busy.reduce((n: number, b: any) => n + b.requests, 0), 8);
    assert.equal(busy.reduce((n: number, b: any) => n + b.tokens_saved, 0), 66_000);
    assert.equal(summary.json.by_key[0].key_name, 'usage-key');
    assert.equal(summary.json.by_model.find((m: any) => m.model === 'gpt-4o-mini').requests, 7);
    const tooMany = await admin('GET', '/admin/api/usage/summary?bucket=minute&since=2020-01-01T00:00:00Z');
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.error.param, 'bucket');
  });

  test('audit log: every change with who, what, when and target; newest first; no secrets', async () => {
    const page = await admin('GET', '/admin/api/audit?limit=200');
    assert.equal(page.status, 200);
    const actions = page.json.data.map((r: any) => r.action);
    for (const action of ['group.create', 'group.update', 'group.delete', 'key.create', 'key.update', 'key.revoke', 'channel.create', 'channel.update', 'channel.disable', 'channel.enable', 'channel.delete']) {
      assert.ok(actions.includes(action), `audit has ${action}`);
    }
    const me = (await admin('GET', '/admin/api/me')).json.actor;
    const changes = page.json.data.filter((r: any) => !r.action.startsWith('admin.auth'));
    assert.ok(changes.every((r: any) => r.actor === me && !Number.isNaN(Date.parse(r.ts))));
    assert.ok(page.json.data.some((r: any) => r.action === 'admin.auth_failed' && r.actor === 'anonymous'), 'wrong admin tokens are audited too');
    const revoke = page.json.data.find((r: any) => r.action === 'key.revoke');
    assert.equal(revoke.targetType, 'key');
    assert.equal(revoke.target, 'alice');
    assert.ok(!page.text.includes(UPSTREAM_SECRET), 'channel keys are not audited');
    assert.ok(!page.text.includes('wrong-key-wrong-key'));
    assert.ok(page.json.data.some((r: any) => r.details.apiKeyChanged === true));
    const first = await admin('GET', '/admin/api/audit?limit=2');
    const second = await admin('GET', `/admin/api/audit?limit=2&cursor=${first.json.next_cursor}`);
    assert.ok(second.json.data[0].id < first.json.data[1].id);
    const forKey = await admin('GET', '/admin/api/audit?target_type=key&target=alice');
    assert.deepEqual(forKey.json.data.map((r: any) => r.action), ['key.revoke', 'key.update', 'key.create']);
  });

  test('OpenAPI 3.1 document is served, covers every operation, and matches docs/console/openapi.json', async () => {
    const res = await fetch(relay.url + '/admin/api/openapi.json');
    assert.equal(res.status, 200);
    const doc: any = await res.json();
    assert.equal(doc.openapi, '3.1.0');
    for (const op of ADMIN_OPERATIONS) assert.ok(doc.paths[op.path]?.[op.method.toLowerCase()], `${op.method} ${op.path} documented`);
    assert.ok(doc.paths['/admin/api/channels'].post.requestBody.content['application/json'].schema.properties.baseUrl);
    assert.ok(doc.paths['/admin/api/usage'].get.parameters.some((p: any) => p.name === 'cursor' && p.in === 'query'));
    const committed = JSON.parse(readFileSync(new URL('../../docs/console/openapi.json', import.meta.url), 'utf8'));
    assert.deepEqual(committed, buildOpenApiDocument(), 'docs/console/openapi.json is stale: run node src/console/openapi.ts > docs/console/openapi.json');
  });

  test('console files: HTML, JS modules and CSS with their content types, a CSP, and ETag revalidation', async () => {
    for (const path of ['/console', '/console/', '/console/keys']) {
      const res = await fetch(relay.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.match(await res.text(), /<title>compact-relay console<\/title>/);
    }
    const js = await fetch(relay.url + '/console/js/app.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const etag = js.headers.get('etag')!;
    assert.ok(etag);
    const again = await fetch(relay.url + '/console/js/app.js', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const css = await fetch(relay.url + '/console/console.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await fetch(relay.url + '/console/nope.js')).status, 404);
    const traversal = await fetch(relay.url + '/console/%2e%2e/%2e%2e/package.json');
    assert.equal(traversal.status, 404);
  });
});
