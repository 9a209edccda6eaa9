// The real Claude Code CLI (from the npm registry) through the relay's compaction prefix, in front
// of an Anthropic Messages upstream and of a Chat-only one (the emulator): a session whose tool
// outputs outgrow the model's budget is compacted before it reaches the upstream, Claude Code
// finishes its task, and the system prompt and tools it sent reach the upstream unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { STUB_PREFIX } from '../../src/compaction/masking.ts';
import { SUMMARY_MESSAGE_PREFIX } from '../../src/compaction/layout.ts';
import { startTestRelay } from '../helpers/relay-harness.ts';
import { CLAUDE_CODE_VERSION, ensureClaudeCode } from './claude-code/install.ts';
import { skipOrFail } from '../helpers/requirements.ts';

const MODEL = 'claude-sonnet-4-5';
const WINDOW = 40_000;
const HANDOFF_SUMMARY = ['## Goal', 'Count to 12000 with seq, in two steps.', '## Constraints', '- none', '## Progress and decisions', '- `seq 1 6000` ran.', '## Errors and fixes', '- none', '## Files', '- none', '## Next step', 'Run `seq 6001 12000`.'].join('\n');

function runClaude(cli: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'claude-home-'));
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: home,
    // Nothing of this machine's environment leaks in; every kind of non-essential traffic is off.
    env: { PATH: process.env.PATH ?? '', HOME: home, DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1', DISABLE_ERROR_REPORTING: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.on('exit', (exitCode) => {
    clearTimeout(timer);
    resolve({ exitCode, stdout, stderr });
  }));
}

for (const kind of ['anthropic', 'chat-only'] as const) test(`Claude Code ${CLAUDE_CODE_VERSION} compacting through /compact in front of ${kind === 'anthropic' ? 'an Anthropic' : 'a Chat-only'} upstream`, { timeout: 300_000 }, async (t) => {
  let cli: string;
  try {
    cli = await ensureClaudeCode();
  } catch (err) {
    skipOrFail(t, `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} could not be installed from the npm registry: ${(err as Error).message}`);
    return;
  }
  // The main model has its own upstream and script; Claude Code's background calls (titles, the
  // small fast model) go to another, so they cannot take the scripted replies.
  const upstream = await startUpstreamEmulator({ mode: kind });
  const background = await startUpstreamEmulator({ mode: 'anthropic' });
  const relay = await startTestRelay({
    channels: [
      { name: 'sonnet', type: kind === 'anthropic' ? 'anthropic' : 'openai-chat', baseUrl: upstream.url, models: [MODEL], options: { contextWindow: WINDOW } },
      { name: 'haiku', type: 'anthropic', baseUrl: background.url, models: ['claude-haiku-4-5', 'claude-sonnet-4-5-20250929'] },
    ],
  });
  try {
    upstream.script([
      { toolCalls: [{ name: 'Bash', arguments: JSON.stringify({ command: 'seq 1 6000', description: 'Count to 6000' }) }] },
      { toolCalls: [{ name: 'Bash', arguments: JSON.stringify({ command: 'seq 6001 12000', description: 'Count on to 12000' }) }] },
      // The relay's own summary call (the group's default strategy asks the model once per event).
      { text: HANDOFF_SUMMARY },
      { text: 'Done after compaction.' },
    ]);
    const run = await runClaude(cli, ['-p', 'Count to twelve thousand with seq, in two steps.', '--output-format', 'json', '--model', MODEL, '--allowedTools', 'Bash'], {
      ANTHROPIC_BASE_URL: `${relay.url}/compact`,
      ANTHROPIC_API_KEY: relay.key,
      ANTHROPIC_SMALL_FAST_MODEL: 'claude-haiku-4-5',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'claude-haiku-4-5',
    }, 240_000);
    assert.equal(run.exitCode, 0, (run.stdout + run.stderr).slice(-2000));
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    assert.equal(result.result, 'Done after compaction.');
    assert.equal(result.is_error, false);

    const isSummaryCall = (body: any) => JSON.stringify(body.system ?? body.messages?.[0] ?? '').includes('You write handoff summaries');
    const turns = upstream.requests.map((r) => r.body).filter((b) => !isSummaryCall(b));
    assert.equal(turns.length, 3, 'the task, then one request after each tool result');
    assert.equal(upstream.requests.length - turns.length, 1, 'one summary call for the one compaction event');
    const modelRows = (await relay.usageRows(3)).filter((r) => r.model === MODEL);
    const rows = modelRows.filter((r) => !r.summarizer_call).reverse();
    assert.equal(rows.length, 3);
    assert.equal(modelRows.length - rows.length, 1, 'the summary call has its own usage row');
    const compacted = rows[2];
    assert.ok(compacted.compaction_tokens_before > WINDOW * 0.85, `Claude Code sent ${compacted.compaction_tokens_before} tokens, over the trigger`);
    assert.ok(compacted.compaction_tokens_after < compacted.compaction_tokens_before * 0.5, `compacted to ${compacted.compaction_tokens_after}`);
    assert.notEqual(compacted.compaction_strategy, 'skipped');
    assert.ok(upstream.requests.every((r) => r.path === (kind === 'anthropic' ? '/v1/messages' : '/v1/chat/completions')));
    const last = JSON.stringify(turns[2].messages);
    assert.ok(!last.includes('\\n3000\\n3001\\n'), 'the first command\'s output no longer reaches the upstream in full');
    assert.ok(last.includes(STUB_PREFIX) || last.includes(SUMMARY_MESSAGE_PREFIX.slice(0, 40)), 'it is replaced by a stub or folded into the summary');
    assert.ok(last.includes('\\n11500\\n11501\\n'), 'the newest output, which Claude Code just received, reaches the upstream as Claude Code sent it, not as a stub');
    assert.ok(last.includes('Count to twelve thousand with seq'), 'the task is kept');
    const systemOf = (body: any) => (kind === 'anthropic' ? body.system : body.messages[0]);
    assert.deepEqual([systemOf(turns[2]), turns[2].tools], [systemOf(turns[0]), turns[0].tools], 'system prompt and tools reach the upstream unchanged');
  } finally {
    await relay.close();
    await upstream.close();
    await background.close();
  }
});
