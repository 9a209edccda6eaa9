// Installs a pinned Claude Code CLI from the npm registry into <repo>/.cache/claude-code/<version>
// (once) and returns the path of its cli.js. 2.0.x is plain JavaScript run by Node; later
// releases ship a native binary fetched by an install script, which this machine cannot reach.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const CLAUDE_CODE_VERSION = '2.0.30';

const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
const run = promisify(execFile);

export function claudeCodeCli(version = CLAUDE_CODE_VERSION): string {
  return join(REPO_ROOT, '.cache', 'claude-code', version, 'node_modules', '@anthropic-ai', 'claude-code', 'cli.js');
}

/** Installs the CLI unless present (no install scripts, no optional image libraries); throws when npm fails. */
export async function ensureClaudeCode(version = CLAUDE_CODE_VERSION): Promise<string> {
  const cli = claudeCodeCli(version);
  if (existsSync(cli)) return cli;
  const prefix = join(REPO_ROOT, '.cache', 'claude-code', version);
  await run('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', `@anthropic-ai/claude-code@${version}`], {
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (!existsSync(cli)) throw new Error(`@anthropic-ai/claude-code@${version} installed without ${cli}`);
  return cli;
}
