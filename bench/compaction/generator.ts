// A seeded generator of long coding-agent sessions with planted facts at controlled positions:
// the goal, constraints (one changes mid-session), files changed, resolved and current errors,
// decisions, identifiers, a superseded value, look-alike distractors and fake secrets.
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { countConversationTokens, countItemTokens } from '../../src/compaction/index.ts';

export type FactCategory = 'goal' | 'constraint' | 'file' | 'latest_error' | 'next_step' | 'identifier' | 'decision' | 'superseded' | 'resolved_error' | 'secret';

export interface PlantedFact {
  category: FactCategory;
  /** The exact string that must survive (or, for secrets and superseded values, must not be presented). */
  text: string;
  /** For superseded facts: the value that replaced it. */
  current?: string;
}

export interface GeneratedSession {
  conversation: Conversation;
  facts: PlantedFact[];
  tokens: number;
}

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'parser token buffer stream index cache render module config handler record schema value field node tree graph queue worker batch'.split(' ');
const SECRETS = ['sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0', 'AKIAIOSFODNN7EXAMPLE', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'];

function user(text: string): Item {
  return { kind: 'message', role: 'user', content: [{ type: 'text', text }] };
}
function assistant(text: string): Item {
  return { kind: 'message', role: 'assistant', content: [{ type: 'text', text }] };
}

export interface GenerateOptions {
  seed: number;
  /** Approximate size of the session in tokens. */
  tokens: number;
}

export function generateSession(options: GenerateOptions): GeneratedSession {
  const rand = prng(options.seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  const items: Item[] = [];
  const facts: PlantedFact[] = [];
  let call = 0;
  const tool = (name: string, args: unknown, output: string) => {
    const callId = `call_${options.seed}_${++call}`;
    items.push({ kind: 'tool_call', callId, name, arguments: JSON.stringify(args), toolKind: 'function' });
    items.push({ kind: 'tool_result', callId, output, toolKind: 'function' });
  };
  const logLines = (count: number, withNoise: boolean) => {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const w = `${pick(WORDS)}_${pick(WORDS)}`;
      lines.push(withNoise && i % 7 === 0 ? `\u001b[32m PASSED \u001b[0m tests/test_${w}.py::test_${pick(WORDS)} [${Math.floor((i / count) * 100)}%]` : `  ${w}(${i}) -> ${Math.floor(rand() * 1e6)} ok`);
      if (withNoise && i % 50 === 0) lines.push(`Downloading ${'#'.repeat(10)}\r${'#'.repeat(30)}\r${'#'.repeat(50)} 100%`);
    }
    return lines.join('\n');
  };
  const heavyTail = () => Math.floor(40 + 3000 * Math.pow(rand(), 4));

  items.push({ kind: 'message', role: 'system', content: [{ type: 'text', text: 'You are a coding agent working in a repository. Use the tools to read, edit and test code. Keep changes minimal.' }] });
  const goal = 'Goal: add streaming support to the tokenizer in src/tokenizer/stream.py without breaking the public API.';
  const constraint = 'Constraint: never modify files under tests/legacy/ and keep Python 3.9 compatibility.';
  items.push(user(`${goal}\n${constraint}`));
  facts.push({ category: 'goal', text: goal }, { category: 'constraint', text: constraint });

  const total = options.tokens;
  const planted = { files: 0, resolved: false, superseded: false, decision: false, ids: false, secrets: 0 };
  let turn = 0;
  while (true) {
    const size = countConversationTokens({ items, tools: [] });
    if (size >= total * 0.92) break;
    const progress = size / total;
    turn++;
    items.push(assistant(`Turn ${turn}: looking at the ${pick(WORDS)} ${pick(WORDS)} next.`));
    const file = `src/tokenizer/${pick(WORDS)}_${turn % 9}.py`;
    tool('read_file', { path: file }, `# ${file}\n` + logLines(heavyTail(), false));
    if (turn % 3 === 0) tool('shell', { command: `pytest -q tests/test_${pick(WORDS)}.py` }, logLines(heavyTail(), true) + '\n12 passed in 0.4s\nexit code: 0');
    if (turn % 4 === 0) {
      const changed = `src/tokenizer/patched_${pick(WORDS)}_${planted.files}.py`;
      tool('apply_patch', { input: `*** Begin Patch\n*** Update File: ${changed}\n@@\n- old()\n+ new()\n*** End Patch` }, 'Done!');
      if (!facts.some((f) => f.text === changed)) facts.push({ category: 'file', text: changed });
      planted.files++;
    }
    if (!planted.resolved && progress > 0.2) {
      planted.resolved = true;
      const resolved = "ImportError: cannot import name 'ByteReader' from 'tokenizer.io'";
      tool('shell', { command: 'pytest -q tests/test_stream.py' }, `${logLines(30, true)}\nE   ${resolved}\n1 failed in 0.2s\nexit code: 1`);
      tool('shell', { command: 'pytest -q tests/test_stream.py' }, `${logLines(30, true)}\n8 passed in 0.3s\nexit code: 0`);
      facts.push({ category: 'resolved_error', text: resolved });
    }
    if (!planted.superseded && progress > 0.3) {
      planted.superseded = true;
      items.push(user('Use STREAM_PORT=8080 for the local test server.'));
      items.push(assistant('Noted, the test server will listen on 8080.'));
    }
    if (!planted.decision && progress > 0.35) {
      planted.decision = true;
      const decision = 'Decision: buffer at most 64 KiB per chunk and reject longer lines with StreamLimitError.';
      items.push(assistant(decision));
      facts.push({ category: 'decision', text: decision });
    }
    if (!planted.ids && progress > 0.4) {
      planted.ids = true;
      items.push(user('Work on branch feature/stream-tokenizer and open the PR against https://git.example.com/acme/tokenizer/pulls when done.'));
      facts.push({ category: 'identifier', text: 'feature/stream-tokenizer' }, { category: 'identifier', text: 'https://git.example.com/acme/tokenizer/pulls' });
      const secret = SECRETS[planted.secrets++ % SECRETS.length];
      tool('shell', { command: 'cat .env' }, `STREAM_PORT=8080\nAPI_TOKEN=${secret}\nDEBUG=0`);
      facts.push({ category: 'secret', text: secret });
    }
    if (planted.superseded && !facts.some((f) => f.category === 'superseded') && progress > 0.6) {
      items.push(user('Change of plan: use STREAM_PORT=9443 instead, 8080 is taken. Second constraint: no new dependencies.'));
      facts.push({ category: 'superseded', text: 'STREAM_PORT=8080', current: 'STREAM_PORT=9443' }, { category: 'constraint', text: 'Second constraint: no new dependencies.' });
      const secret = SECRETS[planted.secrets++ % SECRETS.length];
      tool('shell', { command: 'env | grep TOKEN' }, `GITHUB_TOKEN=${secret}`);
      facts.push({ category: 'secret', text: secret });
    }
    if (turn % 5 === 0) tool('update_plan', { plan: [{ step: 'Write stream reader', status: 'completed' }, { step: 'Handle unicode boundaries', status: turn > 10 ? 'in_progress' : 'pending' }, { step: 'Update CHANGELOG', status: 'pending' }] }, 'Plan updated');
    if (turn % 6 === 0) tool('shell', { command: 'grep -rn "legacy_mode" src/' }, `src/tokenizer/legacy.py:12: legacy_mode = True\nFAILED tests/legacy/test_old.py::test_mode - distractor from an old log, not current\n${logLines(20, false)}`);
  }
  const latest = "FAILED tests/test_stream.py::test_unicode_boundary - AssertionError: expected 'é' got '\\xc3'";
  tool('shell', { command: 'pytest -q tests/test_stream.py::test_unicode_boundary' }, `${logLines(40, true)}\n${latest}\n1 failed in 0.5s\nexit code: 1`);
  facts.push({ category: 'latest_error', text: latest });
  const next = 'Next: fix test_unicode_boundary by decoding only complete UTF-8 sequences, then update the CHANGELOG.';
  items.push(user(next));
  facts.push({ category: 'next_step', text: next });
  const conversation: Conversation = { items, tools: [] };
  return { conversation, facts, tokens: countConversationTokens(conversation) };
}

/** Tokens of the newest `count` items, for tail sizing in experiments. */
export function tailTokens(items: Item[], count: number): number {
  return items.slice(-count).reduce((n, i) => n + countItemTokens(i), 0);
}
