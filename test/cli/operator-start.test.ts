// Start, stop and find the admin token, as an operator does it: the first start shows the admin
// token on stderr (never in the log) and its hints name the relay's own store; `admin-token
// --rotate` hands out a new token that a running relay accepts at once, retiring the old one; the
// launcher bin/compact-relay.js, run by an older Node, passes SIGTERM to its Node 24 child and
// exits with its status; stopping `npm start` by its PID stops the relay, and so does SIGTERM when
// the reader of its log has gone away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');
const LAUNCHER = join(ROOT, 'bin/compact-relay.js');
const run = promisify(execFile);

interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

async function startServer(command: string, args: string[]): Promise<Server> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${stdout}${stderr}`)), 20_000);
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/[^"\s]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', () => reject(new Error(`exited: ${stdout}${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr };
}

async function whoAmI(url: string, token: string): Promise<number> {
  return (await fetch(`${url}/admin/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('first start and the admin token', () => {
  let dataDir: string;
  let server: Server;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'relay-start-'));
    server = await startServer(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir]);
    await new Promise((r) => setTimeout(r, 200));
  });

  after(() => {
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the admin token stands out on stderr and is not in the log; the hints name this relay\'s store', async () => {
    const token = /^\s+(cra-admin-\S+)$/m.exec(server.stderr())?.[1];
    assert.ok(token, `a token line on stderr: ${server.stderr()}`);
    assert.match(server.stderr(), /={20,}[\s\S]*admin token \(shown only this once[\s\S]*={20,}/);
    assert.ok(!server.stdout().includes(token), 'the token is not in the JSON log');
    assert.equal(await whoAmI(server.url, token), 200);
    assert.match(server.stdout(), new RegExp(`channels add .*--data-dir ${dataDir.replace(/[.\\/]/g, '\\$&')}`));
    assert.match(server.stdout(), new RegExp(`keys create .*--data-dir ${dataDir.replace(/[.\\/]/g, '\\$&')}`));
  });

  test('admin-token --rotate prints a new token once; the running relay takes it and refuses the old one', async () => {
    const old = /^\s+(cra-admin-\S+)$/m.exec(server.stderr())![1];
    const { stdout, stderr } = await run(process.execPath, [MAIN, 'admin-token', '--rotate', '--data-dir', dataDir]);
    const fresh = stdout.trim();
    assert.match(fresh, /^cra-admin-[A-Za-z0-9_-]{40,}$/, 'stdout is the token and nothing else');
    assert.match(stderr, /shown only this once/);
    const deadline = Date.now() + 3000;
    while ((await whoAmI(server.url, fresh)) !== 200) {
      assert.ok(Date.now() < deadline, 'the new token works within 3 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await whoAmI(server.url, old), 401, 'the old token stops working');
    const explained = await run(process.execPath, [MAIN, 'admin-token', '--data-dir', dataDir]);
    assert.equal(explained.stdout, '');
    assert.match(explained.stderr, /cannot be shown again[\s\S]*--rotate/);
  });
});

/** A `node` on PATH older than 22.18, which makes the launcher start the bundled Node 24 as a child. */
function olderNode(): string | undefined {
  try {
    const version = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
    const [major, minor] = version.slice(1).split('.').map(Number);
    return major < 22 || (major === 22 && minor < 18) ? 'node' : undefined;
  } catch {
    return undefined;
  }
}

const older = olderNode();
const bundled = existsSync(join(ROOT, 'node_modules/node/bin/node'));
test('the launcher forwards SIGTERM to its Node 24 child and exits with its status', { skip: !older ? 'no Node older than 22.18 on PATH to run the launcher with' : !bundled ? 'node_modules/node is not installed' : false }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-launcher-'));
  const server = await startServer(older!, [LAUNCHER, 'serve', '--port', '0', '--data-dir', dataDir]);
  try {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    assert.equal(await exited, 0, 'the launcher exits with the relay\'s status (0 after a clean drain)');
    assert.match(server.stdout(), /shutting down/, 'the relay itself got the signal');
    await assert.rejects(fetch(`${server.url}/healthz`), 'nothing listens on the port any more');
  } finally {
    server.child.kill('SIGKILL');
    // A child the launcher left behind would hold these pipes open and hang the run instead of failing it.
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function hasNpm(): boolean {
  try {
    execFileSync('npm', ['--version'], { encoding: 'utf8' });
    return true;
  } catch {
    return false;
  }
}

test('stopping `npm start` by its PID stops the relay', { skip: hasNpm() ? false : 'npm is not on PATH' }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-npm-start-'));
  const server = await startServer('npm', ['start', '--silent', '--prefix', ROOT, '--', '--port', '0', '--data-dir', dataDir]);
  try {
    const exited = new Promise<void>((resolve) => server.child.on('exit', () => resolve()));
    server.child.kill('SIGTERM');
    await exited;
    const deadline = Date.now() + 5000;
    for (;;) {
      const up = await fetch(`${server.url}/healthz`).then(() => true, () => false);
      if (!up) break;
      assert.ok(Date.now() < deadline, 'the relay still answers 5 s after npm was stopped');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(server.stdout(), /shutting down/, 'the relay drained on the signal');
  } finally {
    server.child.kill('SIGKILL');
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a relay whose log reader has gone away still stops on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-epipe-'));
  const server = await startServer(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir]);
  try {
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    server.child.stdout!.destroy();
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
    assert.equal(code, 0);
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
