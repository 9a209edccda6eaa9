// Upstream keys at rest: a channel key never sits in the database in plain text, a key stored in
// plain text by an older version is sealed when the relay starts, the relay still authenticates
// to the upstream with it, and a key sealed under another server secret is reported, not used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { openStore } from '../../src/store/database.ts';
import { CatalogStore } from '../../src/store/catalog-store.ts';
import { SecretBox } from '../../src/store/secret-box.ts';
import { startRelay, type RunningRelay } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';

const UPSTREAM_KEY = 'sk-upstream-plain-0123456789abcdef';

async function rawKeys(dataDir: string): Promise<string[]> {
  const store = await openStore({ dataDir });
  try {
    return (await store.db.selectFrom('channels').select('api_key').orderBy('name').execute()).map((r) => r.api_key);
  } finally {
    await store.close();
  }
}

describe('upstream keys at rest', () => {
  let upstream: UpstreamEmulator;
  let relay: RunningRelay;
  let dataDir: string;

  before(async () => {
    upstream = await startUpstreamEmulator({ apiKey: UPSTREAM_KEY });
    dataDir = mkdtempSync(join(tmpdir(), 'relay-keys-'));
    // An older relay (or a tool without the secret) left a key in plain text.
    const store = await openStore({ dataDir });
    const plain = new CatalogStore(store.db);
    await plain.upsertChannel({ name: 'legacy', type: 'openai-chat', baseUrl: upstream.url, apiKey: UPSTREAM_KEY, models: ['gpt-4o-mini'], priority: 0, weight: 1, enabled: true, options: {}, source: 'test' });
    await plain.upsertGroup('default', ['*']);
    await store.close();
    relay = await startRelay({ ...loadConfig({ port: 0, dataDir }, {}), logLevel: 'silent', catalogPollMs: 100 }, pino({ level: 'silent' }));
  });

  after(async () => {
    await relay.close();
    await upstream.close();
  });

  test('a plain-text key is sealed at start and still authenticates the relay upstream', async () => {
    const [stored] = await rawKeys(dataDir);
    assert.ok(stored.startsWith('crkey1.') && !stored.includes(UPSTREAM_KEY), 'sealed in the database');
    const { secret } = await relay.catalogStore.createKey('k', 'default');
    await relay.catalog.refresh();
    const client = new OpenAI({ apiKey: secret, baseURL: `${relay.url}/v1`, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(answer.choices[0].message.content);
    assert.equal(upstream.requests.at(-1)!.headers.authorization, `Bearer ${UPSTREAM_KEY}`, 'the emulator, which checks the key, got the plain key');
  });

  test('a key written through the relay is never stored in plain text', async () => {
    await relay.catalogStore.upsertChannel({ name: 'new', type: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-new-key-9876543210', models: ['claude-x'], priority: 0, weight: 1, enabled: true, options: {}, source: 'test' });
    const stored = await rawKeys(dataDir);
    assert.equal(stored.length, 2);
    assert.ok(stored.every((k) => k.startsWith('crkey1.') && !k.includes('sk-')));
    const channel = (await relay.catalogStore.listChannels()).find((c) => c.name === 'new')!;
    assert.equal(channel.apiKey, 'sk-ant-new-key-9876543210');
  });

  test('a key sealed under another server secret is flagged as unreadable, not sent as garbage', async () => {
    const store = await openStore({ dataDir });
    try {
      const other = new CatalogStore(store.db, new SecretBox('a-different-server-secret-0000'));
      const channels = await other.listChannels();
      assert.ok(channels.every((c) => c.apiKeyUnreadable === true && c.apiKey === ''));
      const tampered = new SecretBox('x'.repeat(32));
      assert.equal(tampered.open(tampered.seal('secret').slice(0, -2) + 'AA'), undefined, 'a tampered value does not open');
    } finally {
      await store.close();
    }
  });
});
