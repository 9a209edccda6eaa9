// SIGTERM under load: the relay stops accepting, lets in-flight requests and streams finish,
// flushes the usage log and exits 0 — every request served has its usage row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const run = promisify(execFile);

test('SIGTERM with streams in flight: they finish, usage rows = requests served, exit 0', { timeout: 60_000 }, async () => {
  const upstream = await startUpstreamEmulator({ streamChunkDelayMs: 150, latencyMs: 300 });
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-shutdown-'));
  const env = { ...process.env, COMPACT_RELAY_ACCESS_LOG: 'false' };
  const cli = (...args: string[]) => run(process.execPath, [MAIN, ...args, '--data-dir', dataDir], { env });
  try {
    await cli('init');
    await cli('groups', 'add', '--name', 'g', '--models', '*');
    const key = (await cli('keys', 'create', '--name', 'k', '--group', 'g')).stdout.trim();
    await cli('channels', 'add', '--name', 'up', '--type', 'openai-chat', '--base-url', upstream.url, '--models', 'gpt-4o-mini');
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve) => child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) resolve(m[1]);
    }));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
    const streams = Array.from({ length: 6 }, async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream' }], stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    });
    const plain = Array.from({ length: 6 }, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'plain' }] }));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    const texts = await Promise.all(streams);
    const completions = await Promise.all(plain);
    assert.ok(texts.every((t) => t.length > 20), 'every stream ran to its end');
    assert.ok(completions.every((c) => c.choices[0].message.content));
    assert.equal(await exited, 0);
    assert.match(out, /shutting down/);
    await assert.rejects(fetch(`${url}/healthz`), 'no longer accepting');
    const { stdout } = await cli('usage', '--json', '--limit', '100');
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.endpoint === '/v1/chat/completions');
    assert.equal(rows.length, 12, 'one usage row per served request, none lost');
    assert.ok(rows.every((r) => r.status === 200), JSON.stringify(rows.map((r) => [r.status, r.streamed, r.error_code])));
    assert.equal(rows.filter((r) => r.streamed === 1).length, 6);
  } finally {
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
