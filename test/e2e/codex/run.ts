// Runs `codex exec` of a cached Codex version against a loopback Responses endpoint: throwaway
// CODEX_HOME/config.toml and HOME, clean env, non-loopback traffic sent to a dead proxy, hard timeout.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodex, type CodexVersion } from './install.ts';

export interface CodexExecOptions {
  version: CodexVersion;
  /** The provider's base_url, e.g. "http://127.0.0.1:PORT/v1" (loopback only). */
  baseUrl: string;
  apiKey: string;
  prompt: string;
  /** Extra `codex exec` flags, e.g. ["--disable", "remote_compaction_v2"]. */
  extraArgs?: string[];
  /** model_auto_compact_token_limit (default 50000). */
  autoCompactLimit?: number;
  /** Model name written to config.toml (default "gpt-5.5"). */
  model?: string;
  /** Kill the whole process group after this long (default 120 s). */
  timeoutMs?: number;
  /** Keep the temp CODEX_HOME/HOME/cwd for inspection (their paths are returned). */
  keepTemp?: boolean;
}

export interface CodexExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  codexHome: string;
}

export const GATEWAY_KEY_ENV = 'GW_API_KEY';

/** The config.toml of PROTOCOLS.md §3: provider named "OpenAI" so Codex uses remote compaction. */
export function codexConfigToml(baseUrl: string, model: string, autoCompactLimit: number): string {
  const host = new URL(baseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`refusing non-loopback base_url ${baseUrl}`);
  return [
    `model = ${JSON.stringify(model)}`,
    'model_provider = "gw"',
    `model_auto_compact_token_limit = ${autoCompactLimit}`,
    'approval_policy = "never"',
    'sandbox_mode = "read-only"',
    'check_for_update_on_startup = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[model_providers.gw]',
    'name = "OpenAI"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    `env_key = "${GATEWAY_KEY_ENV}"`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
}

/** Runs `codex exec --skip-git-repo-check --ephemeral <prompt> </dev/null` and collects its output. */
export async function runCodexExec(options: CodexExecOptions): Promise<CodexExecResult> {
  const binary = await ensureCodex(options.version);
  const scratch = mkdtempSync(join(tmpdir(), 'codex-run-'));
  const codexHome = join(scratch, 'codex-home');
  const home = join(scratch, 'home');
  const cwd = join(scratch, 'work');
  const tmp = join(scratch, 'tmp'); // not a parent of CODEX_HOME, else Codex skips its PATH helpers
  for (const dir of [codexHome, home, cwd, tmp]) mkdirSync(dir);
  writeFileSync(join(codexHome, 'config.toml'), codexConfigToml(options.baseUrl, options.model ?? 'gpt-5.5', options.autoCompactLimit ?? 50_000));
  const deadProxy = 'http://127.0.0.1:9';
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    CODEX_HOME: codexHome,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    [GATEWAY_KEY_ENV]: options.apiKey,
    // Anything that is not loopback goes to a closed port and fails fast.
    HTTP_PROXY: deadProxy, HTTPS_PROXY: deadProxy, ALL_PROXY: deadProxy,
    http_proxy: deadProxy, https_proxy: deadProxy, all_proxy: deadProxy,
    NO_PROXY: '127.0.0.1,localhost,::1', no_proxy: '127.0.0.1,localhost,::1',
  };
  const args = ['exec', ...(options.extraArgs ?? []), '--skip-git-repo-check', '--ephemeral', options.prompt];
  const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeoutMs ?? 120_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('error', (err) => {
      stderr += `\n[spawn error] ${err.message}`;
      resolve([null, null]);
    });
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timer);
  killGroup(child.pid); // leftovers (e.g. a shell Codex spawned) die with the group
  if (!options.keepTemp) rmSync(scratch, { recursive: true, force: true });
  return { exitCode, signal, timedOut, stdout, stderr, codexHome };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}
