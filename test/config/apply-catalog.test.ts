// The config file cannot silently lose a stored upstream key or carry a wrong base URL: a channel
// declared without apiKey keeps the key set for it from the CLI or console, one with apiKey sets it,
// and a baseUrl ending in an endpoint path is refused naming the base URL to use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, readConfigFile } from '../../src/config/config.ts';
import { applyConfigCatalog } from '../../src/config/apply-catalog.ts';
import { openStore } from '../../src/store/database.ts';
import { CatalogStore } from '../../src/store/catalog-store.ts';
import { SecretBox } from '../../src/store/secret-box.ts';

function withConfigFile(yaml: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
  const file = join(dir, 'relay.yaml');
  writeFileSync(file, yaml);
  return { file, dir };
}

test('a channel declared without apiKey keeps its stored key; one declared with apiKey sets it', async () => {
  const { file, dir } = withConfigFile('channels:\n  - name: up\n    type: openai-chat\n    baseUrl: http://127.0.0.1:9/v1\n    models: [m1]\n');
  const store = await openStore({ dataDir: dir });
  try {
    const catalog = new CatalogStore(store.db, new SecretBox('a-server-secret-of-enough-length'));
    const config = loadConfig({ dataDir: dir, config: file }, {});
    await applyConfigCatalog(catalog, config);
    await catalog.upsertChannel({ ...(await catalog.listChannels())[0], apiKey: 'set-from-the-cli' });
    await applyConfigCatalog(catalog, config);
    assert.equal((await catalog.listChannels())[0].apiKey, 'set-from-the-cli', 'the file without apiKey did not erase it');
    writeFileSync(file, 'channels:\n  - name: up\n    type: openai-chat\n    baseUrl: http://127.0.0.1:9/v1\n    models: [m1, m2]\n');
    await applyConfigCatalog(catalog, loadConfig({ dataDir: dir, config: file }, {}));
    const [changed] = await catalog.listChannels();
    assert.deepEqual(changed.models, ['m1', 'm2'], 'other settings follow the file');
    assert.equal(changed.apiKey, 'set-from-the-cli');
    writeFileSync(file, 'channels:\n  - name: up\n    type: openai-chat\n    baseUrl: http://127.0.0.1:9/v1\n    apiKey: ${UP_KEY}\n    models: [m1, m2]\n');
    await applyConfigCatalog(catalog, loadConfig({ dataDir: dir, config: file }, { UP_KEY: 'from-the-file' }));
    assert.equal((await catalog.listChannels())[0].apiKey, 'from-the-file');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a baseUrl that ends in an endpoint path, or is not http(s), is refused with the base URL to use', () => {
  const { file, dir } = withConfigFile('channels:\n  - name: up\n    type: openai-chat\n    baseUrl: https://api.example.com/v1/chat/completions\n    models: [m1]\n');
  try {
    assert.throws(() => readConfigFile(file, {}), /channels\.0\.baseUrl: baseUrl "https:\/\/api\.example\.com\/v1\/chat\/completions" ends in the endpoint path \/chat\/completions; give the base URL instead: https:\/\/api\.example\.com\/v1 /);
    writeFileSync(file, 'channels:\n  - name: up\n    type: openai-chat\n    baseUrl: file:///etc/passwd\n    models: [m1]\n');
    assert.throws(() => readConfigFile(file, {}), /must be an http:\/\/ or https:\/\/ URL/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
