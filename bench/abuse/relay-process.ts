// A relay under attack runs as its own process (so a crash is seen as an exit, and its memory and
// file descriptors are read from /proc), on loopback, with a fresh data directory and a known
// admin token; channels, groups and keys are set up through the admin API like an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/**
 * The operator's admin calls leave from another loopback address than the attackers' traffic, as
 * they would in a real deployment: the relay throttles wrong admin tokens per address, and the
 * fuzzer sends plenty of them.
 */
const OPERATOR_ADDRESS = '127.0.0.2';

function operatorCall(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method, headers, localAddress: OPERATOR_ADDRESS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end(body);
  });
}

export interface RelayProcess {
  url: string;
  dataDir: string;
  adminToken: string;
  /** Set when the process exited (a crash, unless we stopped it). */
  exit: { code: number | null; signal: string | null } | null;
  stderrTail(): string;
  rssMb(): number;
  openFds(): number;
  dataBytes(): number;
  admin(method: string, path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRelayProcess(options: { heapMb?: number; env?: Record<string, string> } = {}): Promise<RelayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'abuse-relay-'));
  const port = await freePort();
  const adminToken = `admin-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const args = [...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []), MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, COMPACT_RELAY_ADMIN_TOKEN: adminToken, COMPACT_RELAY_ACCESS_LOG: 'false', LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  const relay: RelayProcess = {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    adminToken,
    exit: null,
    stderrTail: () => stderr.slice(-2_000),
    rssMb: () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      } catch {
        return 0;
      }
    },
    openFds: () => {
      try {
        return readdirSync(`/proc/${child.pid}/fd`).length;
      } catch {
        return 0;
      }
    },
    dataBytes: () => readdirSync(dataDir).reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0),
    admin: async (method, path, body) => {
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const { status, text } = await operatorCall(`${relay.url}/admin/api${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body));
      if (status >= 400) throw new Error(`admin ${method} ${path}: ${status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    },
    stop: async () => {
      if (relay.exit) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.once('exit', (code, signal) => {
    relay.exit = { code, signal };
  });
  for (let i = 0; i < 200; i++) {
    if (relay.exit) throw new Error(`relay exited at start: ${relay.stderrTail()}`);
    try {
      const response = await fetch(`${relay.url}/healthz`);
      if (response.ok) return relay;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`relay did not start: ${relay.stderrTail()}`);
}
