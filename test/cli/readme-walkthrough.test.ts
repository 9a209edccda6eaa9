// The README's "Try it without API keys" walkthrough, run as written: the relay and the emulator
// are started as its first two lines say (on free ports, substituted into the rest), then every
// other line of the block runs in a shell from the relay's directory, with `npx compact-relay`
// being this checkout's CLI. It must answer a chat completion and a compaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');

function walkthrough(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Try it without API keys'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has the walkthrough block');
  return block[1].split('\n');
}

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the README walkthrough works as written', { skip: hasCurl() ? false : 'curl is not installed', timeout: 120_000 }, async () => {
  const lines = walkthrough();
  const relayLine = lines.find((l) => l.startsWith('npm start'));
  const emulatorLine = lines.find((l) => l.startsWith('npx compact-relay dev-upstream'));
  assert.ok(relayLine && emulatorLine, 'it starts the relay and an emulator');
  const emulatorKey = /--api-key (\S+)/.exec(emulatorLine)?.[1];
  const emulator = await startUpstreamEmulator({ port: 0, apiKey: emulatorKey });
  const cwd = mkdtempSync(join(tmpdir(), 'relay-readme-'));
  const relay = spawn(process.execPath, [MAIN, 'serve', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let logs = '';
    relay.stdout!.on('data', (d) => (logs += d));
    const relayUrl = await new Promise<string>((resolve, reject) => {
      relay.stdout!.on('data', () => {
        const m = /listening on (http:\/\/[^"\s]+)/.exec(logs);
        if (m) resolve(m[1]);
      });
      relay.on('exit', () => reject(new Error(logs)));
    });
    const script = lines
      .filter((l) => l !== relayLine && l !== emulatorLine)
      .join('\n')
      .replaceAll('http://127.0.0.1:8080', relayUrl)
      .replaceAll('http://127.0.0.1:8081', emulator.url.replace(/\/v1$/, ''));
    const shell = `set -e\nnpx() { [ "$1" = compact-relay ] && shift; "${process.execPath}" "${MAIN}" "$@"; }\n${script}\n`;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const sh = spawn('sh', ['-c', shell], { cwd, env: { ...process.env, LOG_LEVEL: 'silent' } });
      let stdout = '';
      let stderr = '';
      sh.stdout.on('data', (d) => (stdout += d));
      sh.stderr.on('data', (d) => (stderr += d));
      sh.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /channel "emu": ok/);
    assert.match(out.stdout, /"object":"chat\.completion"/);
    assert.match(out.stdout, /"object":"response\.compaction"/);
    assert.match(out.stdout, /\/v1\/chat\/completions\s+200/, 'usage shows the served request');
    assert.doesNotMatch(out.stderr, /error/i, out.stderr);
  } finally {
    relay.kill('SIGKILL');
    await emulator.close();
    rmSync(cwd, { recursive: true, force: true });
  }
});
