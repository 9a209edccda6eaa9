// Drives the real Codex CLI from the npm registry in tests: installs a pinned version into
// .cache/codex/<version> once, writes a throwaway CODEX_HOME pointing Codex at the relay, and runs
// `codex exec` with a time limit (loopback only; no network beyond the registry install).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Installs @openai/codex@version into the cache (if needed) and returns the binary's path. */
export async function ensureCodex(version: string): Promise<string> {
  const prefix = join(ROOT, '.cache', 'codex', version);
  const bin = join(prefix, 'node_modules', '.bin', 'codex');
  if (existsSync(bin)) return bin;
  await promisify(execFile)('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `@openai/codex@${version}`], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  if (!existsSync(bin)) throw new Error(`@openai/codex@${version} installed without a codex binary at ${bin}`);
  return bin;
}

export interface CodexRun {
  exitCode: number | null;
  output: string;
}

export interface CodexRunOptions {
  bin: string;
  baseUrl: string;
  apiKey: string;
  model: string;
  prompt: string;
  extraArgs?: string[];
  autoCompactLimit?: number;
  timeoutMs?: number;
}

export async function runCodexExec(options: CodexRunOptions): Promise<CodexRun> {
  const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'codex-work-'));
  writeFileSync(join(home, 'config.toml'), [
    `model = "${options.model}"`,
    'model_provider = "gw"',
    `model_auto_compact_token_limit = ${options.autoCompactLimit ?? 50_000}`,
    'approval_policy = "never"',
    'sandbox_mode = "read-only"',
    '[model_providers.gw]',
    'name = "OpenAI"',
    `base_url = "${options.baseUrl}"`,
    'env_key = "GW_API_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n'));
  const args = ['exec', ...(options.extraArgs ?? []), '--skip-git-repo-check', '--ephemeral', options.prompt];
  const child = spawn(options.bin, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: home, CODEX_HOME: home, GW_API_KEY: options.apiKey, RUST_LOG: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, options.timeoutMs ?? 120_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  rmSync(home, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
  return { exitCode, output };
}
