// Channel, group and key options are defined once (src/access/catalog-schema.ts): the config file,
// the admin API and the store accept the same options and refuse an unknown one, naming it; a
// stored row that no longer fits is read without what does not fit, and the problem is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelOptionFields, compactionOptionFields, groupLimitFields, keyLimitFields } from '../../src/access/catalog-schema.ts';
import { readConfigFile } from '../../src/config/config.ts';
import { channelViewSchema, createChannelSchema, createGroupSchema, createKeySchema, updateChannelSchema } from '../../src/console/admin-schemas.ts';
import { openStore } from '../../src/store/database.ts';
import { CatalogStore } from '../../src/store/catalog-store.ts';

async function withStore(run: (catalog: CatalogStore, problems: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-catalog-schema-'));
  const store = await openStore({ dataDir: dir });
  const problems: string[] = [];
  try {
    await run(new CatalogStore(store.db, undefined, (p) => problems.push(p)), problems);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function configFile(yaml: string): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'relay-catalog-config-'));
  const file = join(dir, 'relay.yaml');
  writeFileSync(file, yaml);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const channelYaml = 'channels:\n  - name: up\n    type: openai-chat\n    baseUrl: http://127.0.0.1:9/v1\n    models: [m1]\n';

test('the config file takes a group\'s compaction policy and limits, and refuses an unknown group option naming it', () => {
  const ok = configFile('groups:\n  - name: team\n    models: ["*"]\n    compaction: { strategy: ledger, fallback: error }\n    rpm: 60\n');
  try {
    assert.deepEqual(readConfigFile(ok.file, {}).groups, [{ name: 'team', models: ['*'], compaction: { strategy: 'ledger', fallback: 'error' }, rpm: 60 }]);
  } finally {
    ok.done();
  }
  const nested = configFile('groups:\n  - name: team\n    models: ["*"]\n    limits: { rpm: 60 }\n');
  try {
    assert.throws(() => readConfigFile(nested.file, {}), /groups\.0: unknown group setting "limits" \(known: name, models, compaction, rpm, tpm, concurrency\)/);
  } finally {
    nested.done();
  }
  const badStrategy = configFile('groups:\n  - name: team\n    models: ["*"]\n    compaction: { strategy: magic, summariserModel: x }\n');
  try {
    assert.throws(() => readConfigFile(badStrategy.file, {}), /groups\.0\.compaction(\.strategy)?: /);
  } finally {
    badStrategy.done();
  }
});

test('the config file refuses an unknown or malformed channel option instead of dropping it', () => {
  const typo = configFile(channelYaml + '    contextWindw: 128000\n');
  try {
    assert.throws(() => readConfigFile(typo.file, {}), /channels\.0: unknown channel setting "contextWindw"/);
  } finally {
    typo.done();
  }
  const negative = configFile(channelYaml + '    timeoutMs: -5\n');
  try {
    assert.throws(() => readConfigFile(negative.file, {}), /channels\.0\.timeoutMs: /);
  } finally {
    negative.done();
  }
});

test('the admin API bodies carry exactly the catalog\'s option fields', () => {
  for (const field of Object.keys(channelOptionFields)) {
    assert.ok(field in createChannelSchema.shape, `create channel takes ${field}`);
    assert.ok(field in updateChannelSchema.shape, `update channel takes ${field}`);
    assert.ok(field in channelViewSchema.shape, `the channel view shows ${field}`);
  }
  assert.deepEqual(Object.keys(createGroupSchema.shape.compaction.unwrap().shape), Object.keys(compactionOptionFields));
  assert.deepEqual(Object.keys(createGroupSchema.shape.limits.unwrap().shape), Object.keys(groupLimitFields));
  assert.deepEqual(Object.keys(createKeySchema.shape.limits.unwrap().shape), Object.keys(keyLimitFields));
  assert.equal(updateChannelSchema.safeParse({ contextWindow: null }).success, true, 'null removes an option in a PATCH');
  assert.equal(createChannelSchema.safeParse({ name: 'c', type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1', models: ['m'], contextWindow: null }).success, false);
});

test('the store refuses to write an unknown or malformed option, naming it', async () => {
  await withStore(async (catalog) => {
    await catalog.upsertGroup('team', ['*'], { compaction: { strategy: 'ledger' }, rpm: 5 });
    await assert.rejects(catalog.upsertGroup('team', ['*'], { limits: { rpm: 5 } } as never), /Invalid options for group "team": unknown group option "limits" \(known: compaction, rpm, tpm, concurrency\)/);
    await assert.rejects(catalog.updateGroupOptions('team', { compaction: { strategy: 'magic' } } as never), /Invalid options for group "team": compaction\.strategy: /);
    await assert.rejects(catalog.createKey('k', 'team', { quotaUsd: -1 }), /Invalid options for key "k": quotaUsd: /);
    const { record } = await catalog.createKey('k', 'team', { quotaTokens: 1000 });
    assert.deepEqual(record.options, { quotaTokens: 1000 });
    await assert.rejects(catalog.updateKeyOptions('k', { rpm: 1.5 }), /Invalid options for key "k": rpm: /);
    const channel = { name: 'up', type: 'openai-chat' as const, baseUrl: 'http://127.0.0.1:9/v1', apiKey: '', models: ['m'], priority: 0, weight: 1, enabled: true, source: 'cli' };
    await assert.rejects(catalog.upsertChannel({ ...channel, options: { contextWindw: 1 } as never }), /Invalid options for channel "up": unknown channel option "contextWindw"/);
    await assert.rejects(catalog.upsertChannel({ ...channel, type: 'gemini' as never, options: {} }), /Invalid type for channel "up": "gemini"/);
    await catalog.upsertChannel({ ...channel, options: { contextWindow: 64_000, aliases: { fast: 'm' } } });
    assert.deepEqual((await catalog.listChannels())[0].options, { aliases: { fast: 'm' }, contextWindow: 64_000 });
    assert.deepEqual((await catalog.listGroups())[0].options, { compaction: { strategy: 'ledger' }, rpm: 5 });
  });
});

test('a stored row that no longer fits is read without what does not fit, and each problem is reported', async () => {
  await withStore(async (catalog, problems) => {
    await catalog.upsertGroup('team', ['*']);
    await catalog.db.updateTable('groups').set({ options: JSON.stringify({ rpm: 5, colour: 'blue', compaction: { strategy: 'magic', output: 'sealed' }, tpm: 'many' }) }).execute();
    const [group] = await catalog.listGroups();
    assert.deepEqual(group.options, { compaction: { output: 'sealed' }, rpm: 5 });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems.join('\n'), /group "team": stored option ignored, unknown group option "colour"/);
    assert.match(problems.join('\n'), /compaction\.strategy/);
    assert.match(problems.join('\n'), /tpm/);
    problems.length = 0;
    await catalog.db.updateTable('groups').set({ options: 'not json' }).execute();
    assert.deepEqual((await catalog.listGroups())[0].options, {});
    assert.match(problems[0], /group "team": stored options are not a JSON object/);
  });
});
