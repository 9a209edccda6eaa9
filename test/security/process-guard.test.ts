// The process-level guards of `compact-relay serve`, in a child process of their own: unhandled
// rejections and stray uncaught exceptions are logged and the process keeps running; a burst of
// uncaught exceptions calls the fatal handler (drain, flush, exit) exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const guard = fileURLToPath(new URL('../../src/observability/process-guard.ts', import.meta.url));

function run(script: string) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const prelude = `
import pino from 'pino';
import { installProcessGuards } from ${JSON.stringify(guard)};
const logger = pino({ level: 'error' }, { write: (line) => process.stdout.write(line) });
`;

test('stray rejections and exceptions are logged and the process keeps serving', () => {
  const { status, stdout, stderr } = run(`${prelude}
installProcessGuards(logger, { maxUncaught: 10, onFatal: () => { console.log('FATAL'); process.exit(1); } });
Promise.reject(new Error('nobody listened'));
setTimeout(() => { throw new Error('stray one'); }, 10);
setTimeout(() => { throw new Error('stray two'); }, 20);
setTimeout(() => { console.log('STILL-ALIVE'); process.exit(0); }, 200);
`);
  assert.equal(status, 0, stderr);
  assert.match(stdout, /nobody listened/);
  assert.match(stdout, /stray one/);
  assert.match(stdout, /stray two/);
  assert.match(stdout, /STILL-ALIVE/);
  assert.doesNotMatch(stdout, /FATAL/);
});

test('a burst of uncaught exceptions calls the fatal handler once', () => {
  const { status, stdout, stderr } = run(`${prelude}
let fatal = 0;
installProcessGuards(logger, { maxUncaught: 3, windowMs: 60_000, onFatal: () => { fatal++; } });
for (let i = 0; i < 5; i++) setTimeout(() => { throw new Error('burst ' + i); }, 10 + i);
setTimeout(() => { console.log('FATAL-CALLS=' + fatal); process.exit(fatal === 1 ? 3 : 4); }, 200);
`);
  assert.equal(status, 3, stdout + stderr);
  assert.match(stdout, /FATAL-CALLS=1/);
  assert.match(stdout, /too many uncaught exceptions/);
});
