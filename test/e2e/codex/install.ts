// Installs a pinned @openai/codex from the npm registry into <repo>/.cache/codex/<version> (once)
// and returns the path of its native binary, which runs without Node.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type CodexVersion = '0.169.0' | '0.154.0';

const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
const run = promisify(execFile);

/** The Rust target triples and npm platform suffixes the launcher (bin/codex.js) knows. */
const TARGETS: Record<string, { triple: string; suffix: string }> = {
  'linux-x64': { triple: 'x86_64-unknown-linux-musl', suffix: 'linux-x64' },
  'linux-arm64': { triple: 'aarch64-unknown-linux-musl', suffix: 'linux-arm64' },
  'darwin-x64': { triple: 'x86_64-apple-darwin', suffix: 'darwin-x64' },
  'darwin-arm64': { triple: 'aarch64-apple-darwin', suffix: 'darwin-arm64' },
};

/** <repo>/.cache/codex/<version>; the root can be moved with CODEX_E2E_CACHE_DIR. */
export function codexCacheDir(version: CodexVersion): string {
  return join(process.env.CODEX_E2E_CACHE_DIR ?? join(REPO_ROOT, '.cache', 'codex'), version);
}

function platformTarget(): { triple: string; suffix: string } {
  const target = TARGETS[`${process.platform}-${process.arch}`];
  if (!target) throw new Error(`no Codex binary for ${process.platform}-${process.arch}`);
  return target;
}

/**
 * Path of the native binary. The launcher package @openai/codex only holds bin/codex.js; the
 * binary comes from the optional dependency `@openai/codex-<platform>`, which npm installs as an
 * alias of the tagged version `@openai/codex@<version>-<platform>`.
 */
export function nativeBinaryPath(version: CodexVersion): string {
  const { triple, suffix } = platformTarget();
  return join(codexCacheDir(version), 'node_modules', '@openai', `codex-${suffix}`, 'vendor', triple, 'bin', 'codex');
}

/** Path of the JavaScript launcher (needs Node >= 16; works with Node 20 and 24). */
export function launcherPath(version: CodexVersion): string {
  return join(codexCacheDir(version), 'node_modules', '@openai', 'codex', 'bin', 'codex.js');
}

async function npmInstall(prefix: string, specs: string[]): Promise<void> {
  await run('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--include=optional', ...specs], {
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

/**
 * Installs @openai/codex@version into the cache unless its native binary is already there, and
 * returns the binary's path. Throws when npm fails (e.g. no registry).
 */
export async function ensureCodex(version: CodexVersion): Promise<string> {
  const binary = nativeBinaryPath(version);
  if (existsSync(binary)) return binary;
  const prefix = codexCacheDir(version);
  await npmInstall(prefix, [`@openai/codex@${version}`]);
  if (!existsSync(binary)) {
    // Optional dependencies were skipped (e.g. npm_config_omit=optional): name the platform
    // package explicitly by its alias (both specs at once, so npm does not prune the launcher).
    const { suffix } = platformTarget();
    await npmInstall(prefix, [`@openai/codex@${version}`, `@openai/codex-${suffix}@npm:@openai/codex@${version}-${suffix}`]);
  }
  if (!existsSync(binary)) throw new Error(`@openai/codex@${version} installed without its native binary at ${binary}`);
  return binary;
}
