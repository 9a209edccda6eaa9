// The real Codex CLI through the relay, compacting mid-turn: 0.169 with remote compaction v2
// (compaction_trigger) and 0.154 with v1 (/responses/compact, also with /compact/v1 as its base URL),
// each in front of a Responses upstream without native compaction, a Chat-only upstream and an
// Anthropic Messages upstream.
// The upstream is the emulator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstreamEmulator } from '../../src/emulator/index.ts';
import { startTestRelay } from '../helpers/relay-harness.ts';
import { ensureCodex } from './codex/install.ts';
import { runCodexExec } from './codex/run.ts';
import { SEAL_PREFIX } from '../../src/compaction-api/sealing.ts';
import { SUMMARY_SECTIONS } from '../../src/compaction/index.ts';
import { skipOrFail } from '../helpers/requirements.ts';

const MARKER = 'MARKER-7731: the parser fix is half done';

const LABEL = { responses: 'a Responses', 'chat-only': 'a Chat-only', anthropic: 'an Anthropic Messages' } as const;
const UPSTREAM_PATH = { responses: '/v1/responses', 'chat-only': '/v1/chat/completions', anthropic: '/v1/messages' } as const;

const cases = [
  { version: '0.169.0' as const, protocol: 'v2', args: [] as string[], prefix: '/v1', compactEndpoint: '/v1/responses' },
  { version: '0.154.0' as const, protocol: 'v1', args: ['--disable', 'remote_compaction_v2'], prefix: '/v1', compactEndpoint: '/v1/responses/compact' },
  // The same Codex with the relay's compaction prefix as its base URL: every call goes through /compact/v1.
  { version: '0.154.0' as const, protocol: 'v1 through /compact/v1', args: ['--disable', 'remote_compaction_v2'], prefix: '/compact/v1', compactEndpoint: '/compact/v1/responses/compact' },
];

for (const c of cases) {
  describe(`Codex ${c.version} (${c.protocol}) compacting through the relay`, () => {
    for (const upstreamKind of ['responses', 'chat-only', 'anthropic'] as const) {
      test(`in front of ${LABEL[upstreamKind]} upstream`, { timeout: 400_000 }, async (t) => {
        try {
          await ensureCodex(c.version);
        } catch (err) {
          skipOrFail(t, `@openai/codex@${c.version} could not be installed from the npm registry: ${(err as Error).message}`);
          return;
        }
        const upstream = await startUpstreamEmulator({ mode: upstreamKind === 'responses' ? 'full' : upstreamKind, models: ['gpt-5.5'] });
        const channelType = ({ responses: 'openai-responses', 'chat-only': 'openai-chat', anthropic: 'anthropic' } as const)[upstreamKind];
        const relay = await startTestRelay({
          channels: [{ name: 'up', type: channelType, baseUrl: upstream.url, models: ['gpt-5.5'] }],
        });
        try {
          upstream.script([
            { toolCalls: [{ name: 'inspect_repository', arguments: '{"depth":1}' }], usage: { input: 199_000, output: 1_000, total: 200_000 } },
            { text: SUMMARY_SECTIONS.map((s) => `${s}\n${MARKER}`).join('\n'), usage: { input: 2_500, output: 120 } },
            { text: 'Finished after compaction.', usage: { input: 3_000, output: 10 } },
          ]);
          const run = await runCodexExec({ version: c.version, baseUrl: relay.url + c.prefix, apiKey: relay.key, model: 'gpt-5.5', prompt: 'Fix the parser; keep the API stable.', extraArgs: c.args });
          const output = run.stdout + run.stderr;
          assert.equal(run.exitCode, 0, output.slice(-2000));
          assert.match(output, /Finished after compaction\./);
          const all = (await relay.usageRows(4)).reverse().filter((r) => r.endpoint.startsWith(`${c.prefix}/`));
          const rows = all.filter((r) => r.summarizer_call !== 1);
          assert.deepEqual(rows.map((r) => [r.endpoint, r.status]), [[`${c.prefix}/responses`, 200], [c.compactEndpoint, 200], [`${c.prefix}/responses`, 200]]);
          const summarizer = all.filter((r) => r.summarizer_call === 1);
          assert.deepEqual(summarizer.map((r) => [r.request_id, r.channel, r.status]), [[rows[1].request_id, 'up', 200]], 'the summarizer\'s own call, on a row of its own');
          assert.equal(rows[1].compaction_strategy, 'model');
          assert.equal(rows[1].summarizer_input_tokens, 2_500, 'the compaction reports the summarizer\'s real usage');
          const seen = upstream.requests.map((r) => JSON.stringify(r.body));
          assert.equal(seen.length, 3, 'first turn, the summarizer, the follow-up');
          assert.deepEqual(upstream.requests.map((r) => r.path), Array(3).fill(UPSTREAM_PATH[upstreamKind]), 'every call reaches the upstream in its own wire format');
          assert.ok(seen.every((body) => !body.includes(SEAL_PREFIX)), 'no relay-sealed blob reaches the upstream');
          assert.ok(seen.every((body) => !body.includes('compaction_trigger')), 'the trigger is answered by the relay');
          assert.ok(seen[2].includes(MARKER), 'the follow-up carries the summary text');
          assert.ok(seen[2].includes('Fix the parser; keep the API stable.'), 'and the user\'s message');
          assert.ok(!seen[2].includes('inspect_repository'), 'and no longer the compacted tool traffic');
        } finally {
          await relay.close();
          await upstream.close();
        }
      });
    }
  });
}
