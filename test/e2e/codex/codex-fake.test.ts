// The real Codex CLI (npm @openai/codex 0.169.0 and 0.154.0) against the scripted fake Responses
// server: each compacts mid-turn (v2 compaction_trigger / v1 /responses/compact) and exits 0.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCodex, type CodexVersion } from './install.ts';
import { runCodexExec } from './run.ts';
import { DEFAULT_COMPACTION_BLOB, startFakeResponsesServer, type RecordedRequest } from './fake-responses-server.ts';
import { skipOrFail } from '../../helpers/requirements.ts';

const PROMPT = 'Fix the parser; keep the API stable.';
const FINAL_TEXT = 'Finished after compaction.';
const TOOL = 'inspect_repository';
const API_KEY = 'sk-fake-codex-e2e';

/** Installs (or finds in .cache) the version; skips the test only when npm itself fails. */
async function installOrSkip(t: TestContext, version: CodexVersion): Promise<boolean> {
  try {
    await ensureCodex(version);
    return true;
  } catch (err) {
    skipOrFail(t, `cannot install @openai/codex@${version} from the npm registry (${(err as Error).message.split('\n')[0]})`);
    return false;
  }
}

const itemTypes = (r: RecordedRequest): string[] => (r.body?.input ?? []).map((i: any) => i.type);
const metadata = (r: RecordedRequest): any => JSON.parse(String(r.headers['x-codex-turn-metadata']));

function assertFollowUpCarriesCompaction(followUp: RecordedRequest): void {
  const input: any[] = followUp.body.input;
  const compactions = input.filter((i) => i.type === 'compaction');
  assert.equal(compactions.length, 1, 'the follow-up replays the compaction item once');
  assert.equal(compactions[0].encrypted_content, DEFAULT_COMPACTION_BLOB, 'verbatim blob');
  assert.match(compactions[0].id, /^cmp_/);
  assert.equal(input.at(-1).type, 'compaction', 'the compaction item comes last');
  assert.ok(JSON.stringify(input).includes(PROMPT), 'the user prompt survives compaction');
  assert.ok(!input.some((i) => i.type === 'function_call' || i.type === 'function_call_output'), 'the compacted tool traffic is gone');
  assert.equal(metadata(followUp).window_number, 1, 'a new context window starts after compaction');
}

describe('real Codex CLI against the fake Responses server', { concurrency: false }, () => {
  test('0.169.0 compacts mid-turn with remote compaction v2 (compaction_trigger on /responses)', { timeout: 420_000 }, async (t) => {
    if (!(await installOrSkip(t, '0.169.0'))) return;
    const fake = await startFakeResponsesServer({ toolName: TOOL, finalText: FINAL_TEXT });
    try {
      const run = await runCodexExec({ version: '0.169.0', baseUrl: fake.baseUrl, apiKey: API_KEY, prompt: PROMPT, timeoutMs: 120_000 });
      assert.equal(run.exitCode, 0, `codex failed: ${run.stderr.slice(-2000)}`);
      assert.match(run.stdout, new RegExp(FINAL_TEXT));
      assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path} ${r.answeredWith}`), [
        'POST /v1/responses turn:1',
        'POST /v1/responses compaction-v2',
        'POST /v1/responses turn:2',
      ]);
      const [first, compaction, followUp] = fake.requests;
      for (const r of fake.requests) {
        assert.equal(r.headers.authorization, `Bearer ${API_KEY}`);
        assert.equal(r.headers['x-codex-beta-features'], 'remote_compaction_v2');
        assert.equal(r.body.stream, true);
        assert.equal(r.body.model, 'gpt-5.5');
        assert.equal(r.body.instructions, undefined, '0.169 sends no instructions');
      }
      assert.equal(metadata(first).request_kind, 'turn');
      assert.equal(metadata(compaction).request_kind, 'compaction');
      assert.equal(metadata(compaction).compaction.implementation, 'responses_compaction_v2');
      assert.deepEqual(itemTypes(compaction).slice(-3), ['function_call', 'function_call_output', 'compaction_trigger']);
      assert.deepEqual(compaction.body.input.at(-1), { type: 'compaction_trigger' });
      assert.ok(compaction.body.tools.length > 0, 'the trigger request keeps the tools');
      assertFollowUpCarriesCompaction(followUp);
    } finally {
      await fake.close();
    }
  });

  test('0.169.0 fails the turn when the compaction answer has two compaction items', { timeout: 420_000 }, async (t) => {
    if (!(await installOrSkip(t, '0.169.0'))) return;
    const fake = await startFakeResponsesServer({ v2CompactionItems: 2 });
    try {
      const run = await runCodexExec({ version: '0.169.0', baseUrl: fake.baseUrl, apiKey: API_KEY, prompt: PROMPT, timeoutMs: 120_000 });
      assert.notEqual(run.exitCode, 0);
      assert.match(run.stderr, /expected exactly one compaction output item, got 2/);
      assert.deepEqual(fake.requests.map((r) => r.answeredWith), ['turn:1', 'compaction-v2'], 'no follow-up after a rejected compaction');
    } finally {
      await fake.close();
    }
  });

  test('0.154.0 with --disable remote_compaction_v2 compacts mid-turn with v1 (POST /responses/compact)', { timeout: 420_000 }, async (t) => {
    if (!(await installOrSkip(t, '0.154.0'))) return;
    const fake = await startFakeResponsesServer({ toolName: TOOL, finalText: FINAL_TEXT });
    try {
      const run = await runCodexExec({ version: '0.154.0', baseUrl: fake.baseUrl, apiKey: API_KEY, prompt: PROMPT, extraArgs: ['--disable', 'remote_compaction_v2'], timeoutMs: 120_000 });
      assert.equal(run.exitCode, 0, `codex failed: ${run.stderr.slice(-2000)}`);
      assert.match(run.stdout, new RegExp(FINAL_TEXT));
      assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path} ${r.answeredWith}`), [
        'POST /v1/responses turn:1',
        'POST /v1/responses/compact compact-v1',
        'POST /v1/responses turn:2',
      ]);
      const [, compact, followUp] = fake.requests;
      assert.equal(compact.headers.authorization, `Bearer ${API_KEY}`);
      assert.equal(compact.headers['x-codex-beta-features'], undefined);
      assert.equal(metadata(compact).request_kind, 'compaction');
      assert.equal(metadata(compact).compaction.implementation, 'responses_compact');
      assert.equal(compact.body.stream, undefined, 'the compact call is unary JSON');
      assert.equal(typeof compact.body.instructions, 'string', '0.154 sends the base prompt as instructions');
      assert.deepEqual(itemTypes(compact).slice(-2), ['function_call', 'function_call_output']);
      assert.ok(!itemTypes(compact).includes('compaction_trigger'));
      assertFollowUpCarriesCompaction(followUp);
    } finally {
      await fake.close();
    }
  });
});
