// `compact-relay dev-upstream` as a separate process: it answers like the OpenAI API, records
// requests, takes scripted replies and faults over its control endpoints or from --fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import OpenAI from 'openai';
import { parseFault } from '../../src/cli/dev-upstream-command.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

async function startEmulator(args: string[]) {
  const child = spawn(process.execPath, [MAIN, 'dev-upstream', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(out)));
  });
  return { child, url };
}

test('the emulator process answers the openai client and obeys its control endpoints', async () => {
  const { child, url } = await startEmulator(['--api-key', 'k1']);
  try {
    const client = new OpenAI({ apiKey: 'k1', baseURL: url, maxRetries: 0 });
    const models = await client.models.list();
    assert.ok(models.data.length > 0);
    const base = url.replace(/\/v1$/, '');
    await fetch(`${base}/__emulator/script`, { method: 'POST', body: JSON.stringify([{ text: 'scripted!', usage: { input: 7, output: 2 } }]) });
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(completion.choices[0].message.content, 'scripted!');
    assert.equal(completion.usage!.prompt_tokens, 7);
    await fetch(`${base}/__emulator/fault`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 503, count: 1 }) });
    await assert.rejects(client.responses.create({ model: 'gpt-4o', input: 'x' }), (err: any) => err.status === 503);
    const recorded = (await (await fetch(`${base}/__emulator/requests`)).json()) as { path: string }[];
    assert.deepEqual(recorded.map((r) => r.path), ['/v1/models', '/v1/chat/completions', '/v1/responses']);
    const wrongKey = new OpenAI({ apiKey: 'nope', baseURL: url, maxRetries: 0 });
    await assert.rejects(wrongKey.models.list(), (err: any) => err.status === 401);
  } finally {
    child.kill('SIGTERM');
  }
});

test('--fault specs parse, and bad ones are refused clearly', () => {
  assert.deepEqual(parseFault('status:502'), { kind: 'status', status: 502 });
  assert.deepEqual(parseFault('truncate:3'), { kind: 'truncate-stream', afterEvents: 3 });
  assert.deepEqual(parseFault('hang'), { kind: 'hang' });
  assert.throws(() => parseFault('status:200'), /--fault must be/);
  assert.throws(() => parseFault('explode'), /--fault must be/);
});
