#!/usr/bin/env node
// Launcher for the `compact-relay` command: runs src/cli/main.ts on Node >= 22.18 (type stripping),
// re-executing it with the Node 24 binary that `npm install` placed in node_modules when the Node
// on PATH is older. The child gets the launcher's SIGINT/SIGTERM/SIGHUP, and the launcher exits
// with the child's status, so stopping the launcher's PID stops the relay.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli', 'main.ts');
const [major, minor] = process.versions.node.split('.').map(Number);
const modern = major > 22 || (major === 22 && minor >= 18);
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

if (modern) {
  await import(entry);
} else {
  const bundled = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bundled)) {
    console.error(`compact-relay needs Node >= 22.18 (found ${process.version}); run "npm install" first.`);
    process.exit(1);
  }
  const child = spawn(bundled, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  child.on('error', (err) => {
    console.error(`compact-relay could not start ${bundled}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of FORWARDED) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  });
}
