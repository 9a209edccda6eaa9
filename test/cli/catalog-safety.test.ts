// The command line cannot lose what is stored or write to the wrong store: existing channels,
// groups and keys are refused unless --replace; `update` changes only what it is given; a stored
// upstream key survives everything but --api-key/--clear-api-key; every command names its store,
// and a missing store is an error unless `init` creates it. Inputs are checked where they enter:
// base URLs, numbers, times, mistyped commands; `channels test` reaches the upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';
import { openStore } from '../../src/store/database.ts';
import { CatalogStore } from '../../src/store/catalog-store.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI; never throws, so failures can be inspected like successes. */
async function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Outcome> {
  try {
    const { COMPACT_RELAY_DATA: _data, COMPACT_RELAY_CONFIG: _config, DATABASE_URL: _db, ...inherited } = process.env;
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd: options.cwd, env: { ...inherited, LOG_LEVEL: 'silent', ...options.env } });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

function ok(outcome: Outcome, what: string): Outcome {
  assert.equal(outcome.code, 0, `${what}: ${outcome.stderr}`);
  return outcome;
}

function refused(outcome: Outcome, pattern: RegExp): void {
  assert.notEqual(outcome.code, 0, `expected a refusal, got success: ${outcome.stderr}`);
  assert.match(outcome.stderr, pattern);
}

/** `channels list` as rows keyed by column name. */
async function channelRows(dataDir: string): Promise<Record<string, string>[]> {
  const { stdout } = ok(await cli(['channels', 'list', '--data-dir', dataDir]), 'channels list');
  const [header, ...lines] = stdout.trim().split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0].toLowerCase(), at: m.index! }));
  return lines.map((line) => Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, starts[i + 1]?.at ?? line.length).trim()])));
}

describe('the command line never loses stored data', () => {
  let upstream: UpstreamEmulator;
  let dataDir: string;
  const at = () => ['--data-dir', dataDir];

  before(async () => {
    upstream = await startUpstreamEmulator({ apiKey: 'up-secret-1', models: ['gpt-4o-mini', 'gpt-4o'] });
    dataDir = mkdtempSync(join(tmpdir(), 'relay-cli-safety-'));
    ok(await cli(['init', ...at()]), 'init');
  });

  after(async () => {
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('channels add refuses an existing name; --replace keeps the stored key unless --api-key is given', async () => {
    ok(await cli(['channels', 'add', '--name', 'emu', '--type', 'openai-chat', '--base-url', upstream.url, '--api-key', 'up-secret-1', '--models', 'gpt-4o-mini', '--weight', '3', ...at()]), 'add');
    refused(await cli(['channels', 'add', '--name', 'emu', '--type', 'openai-chat', '--base-url', upstream.url, '--models', 'gpt-4o', ...at()]), /channel named "emu" already exists.*channels update emu/);
    let [row] = await channelRows(dataDir);
    assert.equal(row.models, 'gpt-4o-mini', 'the refused add changed nothing');
    assert.equal(row.key, 'set');
    const replaced = ok(await cli(['channels', 'add', '--name', 'emu', '--type', 'openai-chat', '--base-url', upstream.url, '--models', 'gpt-4o', '--replace', ...at()]), 'replace');
    assert.match(replaced.stderr, /replaced; kept its stored upstream key/);
    [row] = await channelRows(dataDir);
    assert.equal(row.models, 'gpt-4o');
    assert.equal(row.key, 'set', 'the key survived --replace without --api-key');
    assert.equal(row.weight, '1', '--replace replaces the other settings');
    ok(await cli(['channels', 'test', 'emu', ...at()]), 'the kept key still authenticates at the upstream');
  });

  test('channels update changes only the flags given; the key goes only with --clear-api-key', async () => {
    const updated = ok(await cli(['channels', 'update', 'emu', '--weight', '7', '--priority', '-2', ...at()]), 'update');
    assert.match(updated.stderr, /updated: priority, weight/);
    let [row] = await channelRows(dataDir);
    assert.deepEqual([row.models, row.weight, row.priority, row.key, row.base_url], ['gpt-4o', '7', '-2', 'set', upstream.url]);
    refused(await cli(['channels', 'update', 'emu', ...at()]), /Nothing to change/);
    refused(await cli(['channels', 'update', 'ghost', '--weight', '2', ...at()]), /No channel named "ghost"/);
    refused(await cli(['channels', 'update', 'emu', '--api-key', 'x', '--clear-api-key', ...at()]), /cannot be used with/);
    ok(await cli(['channels', 'update', 'emu', '--clear-api-key', ...at()]), 'clear key');
    [row] = await channelRows(dataDir);
    assert.equal(row.key, 'none');
    ok(await cli(['channels', 'update', 'emu', '--api-key', 'up-secret-1', ...at()]), 'set key');
    [row] = await channelRows(dataDir);
    assert.equal(row.key, 'set');
  });

  test('groups add refuses an existing name; update changes only what it is given; --replace keeps limits', async () => {
    ok(await cli(['groups', 'add', '--name', 'team', '--models', 'gpt-4o', '--compaction-strategy', 'ledger', ...at()]), 'group add');
    ok(await cli(['groups', 'limits', 'team', '--rpm', '30', ...at()]), 'limits');
    refused(await cli(['groups', 'add', '--name', 'team', '--models', '*', ...at()]), /group named "team" already exists.*groups update team/);
    ok(await cli(['groups', 'update', 'team', '--summarizer-model', 'gpt-4o-mini', ...at()]), 'group update');
    let listed = ok(await cli(['groups', 'list', ...at()]), 'list').stdout;
    assert.match(listed, /team\s+gpt-4o\s+\{"strategy":"ledger","summarizerModel":"gpt-4o-mini"\}/);
    const replaced = ok(await cli(['groups', 'add', '--name', 'team', '--models', 'gpt-4o,gpt-4o-mini', '--replace', ...at()]), 'group replace');
    assert.match(replaced.stderr, /kept its rpm/);
    listed = ok(await cli(['groups', 'list', ...at()]), 'list').stdout;
    assert.match(listed, /team\s+gpt-4o,gpt-4o-mini\s+\{\}/);
    const limits = ok(await cli(['groups', 'limits', 'team', ...at()]), 'limits').stderr;
    assert.match(limits, /"rpm":30/);
  });

  test('keys create refuses an existing name and leaves that key alone; keys update moves a key keeping its secret', async () => {
    const secret = ok(await cli(['keys', 'create', '--name', 'alice', '--group', 'team', ...at()]), 'create').stdout.trim();
    const again = await cli(['keys', 'create', '--name', 'alice', '--group', 'team', ...at()]);
    refused(again, /key named "alice" already exists in group "team"; it is left unchanged/);
    assert.equal(again.stdout, '', 'no second secret is printed');
    ok(await cli(['groups', 'add', '--name', 'other', '--models', '*', ...at()]), 'group');
    ok(await cli(['keys', 'update', 'alice', '--group', 'other', ...at()]), 'move');
    const keys = ok(await cli(['keys', 'list', ...at()]), 'list').stdout;
    assert.match(keys, new RegExp(`alice\\s+${secret.slice(0, 10)}\\S*…\\s+other`));
    refused(await cli(['keys', 'update', 'alice', '--group', 'nope', ...at()]), /Group "nope" does not exist/);
  });

  test('changing a channel or group declared in the config file warns that the file wins at the next start', async () => {
    const store = await openStore({ dataDir });
    try {
      const catalog = new CatalogStore(store.db);
      await catalog.upsertChannel({ name: 'from-file', type: 'openai-chat', baseUrl: upstream.url, apiKey: '', models: ['m'], priority: 0, weight: 1, enabled: true, options: {}, source: 'config' });
      await catalog.upsertGroup('file-group', ['m'], {}, 'config');
    } finally {
      await store.close();
    }
    assert.match(ok(await cli(['channels', 'update', 'from-file', '--weight', '2', ...at()]), 'update').stderr, /warning: channel "from-file" is declared in the config file/);
    assert.match(ok(await cli(['groups', 'limits', 'file-group', '--rpm', '5', ...at()]), 'limits').stderr, /warning: group "file-group" is declared in the config file/);
  });

  test('every management command names the store it used on stderr', async () => {
    for (const args of [['channels', 'list'], ['groups', 'list'], ['keys', 'list'], ['usage'], ['savings']]) {
      const { stderr } = ok(await cli([...args, ...at()]), args.join(' '));
      assert.match(stderr, new RegExp(`store: ${join(dataDir, 'relay.db').replace(/[.\\/]/g, '\\$&')}`), args.join(' '));
    }
  });
});

describe('the store is never created by accident', () => {
  test('a management command in a directory without a store fails, names the path and creates nothing; init creates it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'relay-cli-nostore-'));
    try {
      for (const args of [['channels', 'list'], ['groups', 'add', '--name', 'g', '--models', '*'], ['keys', 'create', '--name', 'k', '--group', 'g'], ['usage']]) {
        const outcome = await cli(args, { cwd });
        refused(outcome, /No relay store at .*data[\\/]relay\.db.*--data-dir.*compact-relay init/);
        assert.equal(outcome.stdout, '');
      }
      assert.equal(existsSync(join(cwd, 'data')), false, 'no ./data was created');
      const init = ok(await cli(['init'], { cwd }), 'init');
      assert.match(init.stderr, /store: .*relay\.db/);
      ok(await cli(['channels', 'list'], { cwd }), 'now the store exists');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('inputs are checked where they enter', () => {
  let dataDir: string;
  let upstream: UpstreamEmulator;
  const at = () => ['--data-dir', dataDir];
  const add = (name: string, baseUrl: string, ...extra: string[]) => cli(['channels', 'add', '--name', name, '--type', 'openai-chat', '--base-url', baseUrl, '--models', 'gpt-4o-mini', ...extra, ...at()]);

  before(async () => {
    upstream = await startUpstreamEmulator({ apiKey: 'right-key', models: ['gpt-4o-mini'] });
    dataDir = mkdtempSync(join(tmpdir(), 'relay-cli-inputs-'));
    ok(await cli(['init', ...at()]), 'init');
  });

  after(async () => {
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('base URLs: http/https only; an endpoint path is refused with the base URL to use; no version segment warns', async () => {
    refused(await add('a', 'ftp://example.com/v1'), /--base-url must be an http:\/\/ or https:\/\/ URL/);
    refused(await add('a', 'not a url'), /--base-url is not a URL/);
    refused(await add('a', 'https://api.example.com/v1/chat/completions'), /ends in the endpoint path \/chat\/completions; give the base URL instead: https:\/\/api\.example\.com\/v1 /);
    refused(await add('a', 'https://api.example.com/v1/responses/'), /instead: https:\/\/api\.example\.com\/v1 /);
    refused(await add('a', 'https://api.anthropic.com/v1/messages'), /instead: https:\/\/api\.anthropic\.com\/v1 /);
    assert.equal((await channelRows(dataDir)).length, 0, 'nothing was saved');
    const warned = ok(await add('bare', 'https://api.example.com', '--api-key', 'k'), 'saved with a warning');
    assert.match(warned.stderr, /warning: --base-url "https:\/\/api\.example\.com" has no version segment such as \/v1.*https:\/\/api\.example\.com\/v1/);
    assert.doesNotMatch(ok(await add('versioned', 'https://open.example.com/api/paas/v4', '--api-key', 'k'), 'v4').stderr, /warning/);
  });

  test('numbers and times are refused with the flag named', async () => {
    refused(await add('n', 'http://127.0.0.1:9/v1', '--weight', '-3'), /option '--weight <n>' argument '-3' is invalid/);
    refused(await add('n', 'http://127.0.0.1:9/v1', '--context-window', '0'), /option '--context-window <tokens>' argument '0' is invalid/);
    refused(await add('n', 'http://127.0.0.1:9/v1', '--weight', '2.5'), /'--weight <n>' argument '2.5' is invalid. It must be a whole number/);
    refused(await cli(['keys', 'limits', 'x', '--rpm', '-1', ...at()]), /option '--rpm <n>' argument '-1' is invalid/);
    refused(await cli(['usage', '--limit', '0', ...at()]), /option '--limit <n>' argument '0' is invalid/);
    refused(await cli(['savings', '--since', 'yesterday', ...at()]), /option '--since <time>' argument 'yesterday' is invalid/);
    refused(await cli(['dev-upstream', '--port', 'abc']), /option '--port <port>' argument 'abc' is invalid/);
    ok(await cli(['savings', '--since', '24h', ...at()]), 'a span');
    ok(await cli(['savings', '--since', '2026-01-01', ...at()]), 'a date');
  });

  test('a mistyped command is an unknown command with a suggestion, not an argument of serve', async () => {
    const typo = await cli(['chanels', 'list']);
    refused(typo, /unknown command 'chanels'/);
    assert.match(typo.stderr, /Did you mean channels\?/);
    assert.doesNotMatch(typo.stderr, /serve/);
    refused(await cli(['channels', 'lst']), /unknown command 'lst'[\s\S]*Did you mean list\?/);
  });

  test('channels test reaches the upstream with the channel key and says what failed', async () => {
    ok(await add('good', upstream.url, '--api-key', 'right-key'), 'good');
    ok(await add('bad-key', upstream.url, '--api-key', 'not-the-secret-value'), 'wrong key');
    ok(await add('no-version', upstream.url.replace(/\/v1$/, ''), '--api-key', 'right-key'), 'no version');
    const good = ok(await cli(['channels', 'test', 'good', ...at()]), 'test good');
    assert.match(good.stdout, /channel "good": ok, HTTP 200 in \d+ ms, \d+ model\(s\) listed/);
    const json = JSON.parse(ok(await cli(['channels', 'test', 'good', '--json', ...at()]), 'json').stdout);
    assert.equal(json.ok, true);
    const bad = await cli(['channels', 'test', 'bad-key', ...at()]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /FAILED .*upstream answered 401/);
    assert.doesNotMatch(bad.stdout + bad.stderr, /not-the-secret-value|right-key/, 'no key is printed');
    const missing = await cli(['channels', 'test', 'no-version', ...at()]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /404[\s\S]*hint: .*no version segment/);
    refused(await cli(['channels', 'test', 'ghost', ...at()]), /No channel named "ghost"/);
  });
});
