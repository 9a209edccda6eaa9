// The command line against a running server, as a user drives it: groups, keys and channels
// added from another process reach the server within two seconds; keys are printed once and
// stored hashed; usage rows come out as JSON lines; a YAML config declares channels with
// ${ENV} secrets; SIGTERM drains and exits cleanly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { startUpstreamEmulator, type UpstreamEmulator } from '../../src/emulator/index.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const run = promisify(execFile);

async function cli(dataDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [MAIN, ...args, '--data-dir', dataDir], { env: { ...process.env, LOG_LEVEL: 'silent' } });
}

async function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; logs: () => string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout!.on('data', (d) => (logs += d));
  child.stderr!.on('data', (d) => (logs += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${logs}`)), 15_000);
    const check = () => {
      const match = /listening on (http:\/\/[^"\s]+)/.exec(logs);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', () => reject(new Error(`server exited: ${logs}`)));
  });
  return { child, url, logs: () => logs };
}

async function eventually<T>(what: string, probe: () => Promise<T>, withinMs = 2000): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${what} did not happen within ${withinMs} ms: ${(lastError as Error)?.message}`);
}

describe('command line management of a running relay', () => {
  let upstream: UpstreamEmulator;
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    upstream = await startUpstreamEmulator({ apiKey: 'up-key-123', models: ['gpt-4o-mini'] });
    dataDir = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    server = await startServer(['--data-dir', dataDir]);
  });

  after(async () => {
    server.child.kill('SIGKILL');
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the server says how to add a channel when it has none', async () => {
    await eventually('the hint in the log', async () => assert.match(server.logs(), /channels add/));
  });

  test('keys, groups and channels added by the CLI work in the running server within 2 seconds', async () => {
    await cli(dataDir, 'groups', 'add', '--name', 'team', '--models', 'gpt-4o-mini');
    const { stdout, stderr } = await cli(dataDir, 'keys', 'create', '--name', 'alice', '--group', 'team');
    const key = stdout.trim();
    assert.match(key, /^sk-cr-[A-Za-z0-9_-]{40,}$/, 'stdout is the key and nothing else');
    assert.match(stderr, /shown only once/);
    const db = readFileSync(join(dataDir, 'relay.db'));
    assert.equal(db.includes(Buffer.from(key)), false, 'the secret is not stored');
    await cli(dataDir, 'channels', 'add', '--name', 'emu', '--type', 'openai-chat', '--base-url', upstream.url, '--api-key', 'up-key-123', '--models', 'gpt-4o-mini');
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const completion = await eventually('the new key and channel', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    assert.ok(completion.choices[0].message.content);
    const listed = await cli(dataDir, 'channels', 'list');
    assert.match(listed.stdout, /emu\s+openai-chat/);
    assert.doesNotMatch(listed.stdout, /up-key-123/, 'channel keys are not printed');
    const keys = await cli(dataDir, 'keys', 'list');
    assert.match(keys.stdout, /alice\s+sk-cr-\S+…\s+team/);
    assert.ok(!keys.stdout.includes(key));
    await cli(dataDir, 'keys', 'revoke', 'alice');
    await eventually('the revocation', async () => {
      await assert.rejects(client.models.list(), (err: any) => err.status === 401);
    });
  });

  test('usage --json prints one JSON row per line with the upstream token counts', async () => {
    await new Promise((r) => setTimeout(r, 400));
    const { stdout } = await cli(dataDir, 'usage', '--json', '--limit', '50');
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l));
    const served = rows.find((r) => r.endpoint === '/v1/chat/completions' && r.status === 200);
    assert.ok(served, stdout);
    assert.equal(served.key_name, 'alice');
    assert.ok(served.input_tokens > 0 && served.output_tokens > 0);
    const table = await cli(dataDir, 'usage', '--limit', '5');
    assert.match(table.stdout, /ENDPOINT/);
  });

  test('bad input on the command line gets a clear message and a non-zero exit', async () => {
    await assert.rejects(cli(dataDir, 'keys', 'create', '--name', 'bob', '--group', 'missing-group'), (err: any) => err.code === 1 && /Group "missing-group" does not exist/.test(err.stderr));
    await assert.rejects(cli(dataDir, 'channels', 'add', '--name', 'x', '--type', 'carrier-pigeon', '--base-url', 'http://x', '--models', 'm'), (err: any) => /--type must be one of/.test(err.stderr));
    await assert.rejects(cli(dataDir, 'keys', 'revoke', 'nobody'), (err: any) => /No active key named "nobody"/.test(err.stderr));
  });
});

test('a YAML config declares groups and channels with secrets from the environment; SIGTERM drains', async () => {
  const upstream = await startUpstreamEmulator({ apiKey: 'from-env-secret', models: ['deepseek-chat'] });
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-yaml-'));
  const configFile = join(dataDir, 'relay.yaml');
  writeFileSync(configFile, `groups:\n  - name: default\n    models: ["*"]\nchannels:\n  - name: deepseek\n    type: openai-chat\n    baseUrl: ${upstream.url}\n    apiKey: \${DEEPSEEK_KEY}\n    models: [deepseek-chat]\n`);
  await cli(dataDir, 'init');
  const { stdout } = await cli(dataDir, 'keys', 'create', '--name', 'k', '--group', 'default', '--config', configFile).catch(async () => {
    await cli(dataDir, 'groups', 'add', '--name', 'default', '--models', '*');
    return cli(dataDir, 'keys', 'create', '--name', 'k', '--group', 'default');
  });
  const server = await startServer(['--data-dir', dataDir, '--config', configFile], { DEEPSEEK_KEY: 'from-env-secret' });
  try {
    const client = new OpenAI({ apiKey: stdout.trim(), baseURL: `${server.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(completion.choices[0].message.content);
    assert.equal(upstream.requests.at(-1)!.headers.authorization, 'Bearer from-env-secret');
    assert.ok(!server.logs().includes('from-env-secret'), 'the secret is never logged');
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(server.logs(), /shutting down/);
    const { stdout: usage } = await cli(dataDir, 'usage', '--json');
    assert.ok(usage.includes('"status":200'), 'the served request was flushed to the usage log before exit');
    const { DEEPSEEK_KEY: _unset, ...envWithout } = process.env;
    const missing = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, '--config', configFile], { env: envWithout, stdio: 'pipe' });
    let err = '';
    missing.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => missing.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /DEEPSEEK_KEY/, 'a missing secret is named at start-up');
  } finally {
    server.child.kill('SIGKILL');
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
