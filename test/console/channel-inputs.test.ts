// The console's channel API checks base URLs as the command line does: one ending in an endpoint
// path is a 400 naming the base URL to use, and an edit that leaves out the key keeps the stored
// one even when it was sealed under another secret and cannot be read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRelay, type TestRelay } from '../helpers/relay-harness.ts';

describe('console channel inputs', () => {
  let relay: TestRelay;
  let token: string;
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(relay.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as any };
  };

  before(async () => {
    relay = await startTestRelay();
    token = relay.relay.adminAuth.generatedToken!;
  });

  after(() => relay.close());

  test('a base URL ending in /chat/completions is refused with the base URL to use', async () => {
    const created = await admin('POST', '/admin/api/channels', { name: 'c1', type: 'openai-chat', baseUrl: 'https://api.example.com/v1/chat/completions', models: ['m'] });
    assert.equal(created.status, 400);
    assert.match(created.json.error.message, /give the base URL instead: https:\/\/api\.example\.com\/v1/);
    assert.equal((await admin('POST', '/admin/api/channels', { name: 'c1', type: 'openai-chat', baseUrl: 'https://api.example.com/v1', models: ['m'] })).status, 201);
    const edited = await admin('PATCH', '/admin/api/channels/c1', { baseUrl: 'https://api.example.com/v1/responses' });
    assert.equal(edited.status, 400);
  });

  test('an edit without apiKey keeps a stored key the relay cannot read', async () => {
    await relay.relay.store.db.updateTable('channels').set({ api_key: 'crkey1.sealed-under-another-secret' }).where('name', '=', 'c1').execute();
    const edited = await admin('PATCH', '/admin/api/channels/c1', { weight: 3 });
    assert.equal(edited.status, 200, JSON.stringify(edited.json));
    const row = await relay.relay.store.db.selectFrom('channels').select('api_key').where('name', '=', 'c1').executeTakeFirstOrThrow();
    assert.equal(row.api_key, 'crkey1.sealed-under-another-secret');
  });
});
