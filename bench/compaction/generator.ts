// A seeded generator of long coding-agent sessions with planted facts at controlled positions:
// the goal, constraints (one changes mid-session), files changed, resolved and current errors,
// decisions, identifiers, a superseded value, look-alike distractors and fake secrets. Harder
// variants: a text protocol (actions in assistant text, the environment's output in plain user
// messages, as SWE-agent and mini-swe-agent send them), an in-context demonstration before the task,
// error words inside source code, and files that are only viewed.
import type { Conversation, Item } from '../../src/conversation/model.ts';
import { countConversationTokens, countItemTokens } from '../../src/compaction/index.ts';

export type FactCategory = 'goal' | 'constraint' | 'file' | 'latest_error' | 'next_step' | 'identifier' | 'decision' | 'superseded' | 'resolved_error' | 'secret' | 'view_only' | 'source_error';

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
  /** `text`: actions in assistant text and observations in plain user messages (mini-swe-agent's protocol). */
  protocol?: 'tools' | 'text';
  /** An in-context demonstration of another task (about this many tokens) before the real task. */
  demonstrationTokens?: number;
}

/** A source file whose lines contain error words but report no error (must never be shown as the current error). */
const ERROR_WORDS_SOURCE = ['class StreamSyntaxError(SyntaxError):', '    raise SyntaxError("unexpected token in stream")', 'ERROR_MARKER = "ERROR: stream closed"', '    ast_error(node, "Error: bad chunk")'];

/** A worked example of a different task, as SWE-agent puts before the real one. */
function demonstration(tokens: number): string {
  const lines = ['Here is a demonstration of how to correctly accomplish a task. It is included to show you how to correctly use the interface. You do not need to follow exactly what is done in the demonstration.', '--- DEMONSTRATION ---', 'We are fixing issue #4123 in the repository marshmallow: TimeDelta serialization precision.'];
  for (let i = 0; lines.join('\n').length < tokens * 4; i++) {
    lines.push(`THOUGHT: step ${i}: let me look at src/marshmallow/fields_${i % 7}.py around line ${100 + i}.`, '```bash', `sed -n '${100 + i},${120 + i}p' src/marshmallow/fields_${i % 7}.py`, '```', '<returncode>0</returncode>', `<output>\n    def _serialize_${i}(self, value, attr, obj, **kwargs):\n        return int(value.total_seconds() / base_unit.total_seconds())\n</output>`);
  }
  lines.push('--- END OF DEMONSTRATION ---');
  return lines.join('\n');
}

export function generateSession(options: GenerateOptions): GeneratedSession {
  const rand = prng(options.seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  const items: Item[] = [];
  const facts: PlantedFact[] = [];
  let call = 0;
  const text = options.protocol === 'text';
  const tool = (name: string, args: unknown, output: string) => {
    if (text) {
      const exit = /exit code: (\d+)/.exec(output)?.[1] ?? '0';
      items.push(assistant(`THOUGHT: running ${name}.\n\n\`\`\`bash\n${textAction(name, args)}\n\`\`\``));
      items.push(user(`<returncode>${exit}</returncode>\n<output>\n${output}\n</output>`));
      return;
    }
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
  // Mostly short outputs with a rare very long one; many turns, as in real sessions.
  const heavyTail = () => Math.floor(10 + 900 * Math.pow(rand(), 8));

  items.push({ kind: 'message', role: 'system', content: [{ type: 'text', text: text ? 'You are a coding agent. Reply with a THOUGHT and exactly one bash code block; its output comes back as <returncode> and <output>.' : 'You are a coding agent working in a repository. Use the tools to read, edit and test code. Keep changes minimal.' }] });
  if (options.demonstrationTokens) items.push(user(demonstration(options.demonstrationTokens)));
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
    // Agents think aloud at length and write long patches; masking old outputs alone then does not make room.
    const prose = Array.from({ length: Math.floor(120 + 500 * rand() ** 2) }, () => pick(WORDS)).join(' ');
    items.push(assistant(`Turn ${turn}: looking at the ${pick(WORDS)} ${pick(WORDS)} next. ${prose}`));
    const file = `src/tokenizer/${pick(WORDS)}_${turn % 9}.py`;
    tool('read_file', { path: file }, `# ${file}\n` + logLines(heavyTail(), false));
    if (turn % 3 === 0) tool('shell', { command: `pytest -q tests/test_${pick(WORDS)}.py` }, logLines(heavyTail(), true) + '\n12 passed in 0.4s\nexit code: 0');
    if (turn % 4 === 0) {
      const changed = `src/tokenizer/patched_${pick(WORDS)}_${planted.files}.py`;
      // Patches carry real hunks: the call's arguments stay in the history when its output is masked.
      const hunk = Array.from({ length: Math.floor(10 + 150 * rand() ** 2) }, (_, i) => `${i % 3 === 0 ? '-' : '+'}    ${pick(WORDS)}_${i} = ${pick(WORDS)}(${pick(WORDS)}, limit=${Math.floor(rand() * 4096)})`).join('\n');
      tool('apply_patch', { input: `*** Begin Patch\n*** Update File: ${changed}\n@@\n- old()\n+ new()\n${hunk}\n*** End Patch` }, 'Done!');
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
    if (turn === 3) {
      const viewed = 'src/tokenizer/errors_catalog.py';
      tool('read_file', { path: viewed }, `# ${viewed}\n${ERROR_WORDS_SOURCE.join('\n')}\n${logLines(30, false)}`);
      facts.push({ category: 'view_only', text: viewed }, ...ERROR_WORDS_SOURCE.map((line) => ({ category: 'source_error' as const, text: line.trim() })));
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

/** A tool call as a text-protocol agent writes it: one shell command. */
function textAction(name: string, args: any): string {
  if (name === 'read_file') return `cat ${args.path}`;
  if (name === 'apply_patch') {
    const file = /\*\*\* Update File: (.+)/.exec(String(args.input))?.[1] ?? 'unknown.py';
    return `sed -i 's/old()/new()/' ${file}`;
  }
  if (name === 'update_plan') return `echo "plan: ${args.plan.map((p: any) => `${p.step} (${p.status})`).join('; ')}"`;
  return String(args.command ?? name);
}

/** Tokens of the newest `count` items, for tail sizing in experiments. */
export function tailTokens(items: Item[], count: number): number {
  return items.slice(-count).reduce((n, i) => n + countItemTokens(i), 0);
}
