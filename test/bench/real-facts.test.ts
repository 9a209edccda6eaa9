// The benchmark's ground truth on real sessions: facts read from the raw files without the engine,
// and a ledger judged against them, so that a false "edited" file or a false current error is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRealSessions } from '../../bench/compaction/real-sessions.ts';
import { deriveFacts } from '../../bench/compaction/facts.ts';
import { judgeLedger } from '../../bench/compaction/ledger-check.ts';
import { runWrites, shellWrites } from '../../bench/compaction/facts/shell.ts';
import type { Conversation } from '../../src/conversation/model.ts';

const sessions = loadRealSessions();
const byId = (part: string) => sessions.find((s) => s.id.includes(part))!;

test('every agent of the real set is there, Claude Code sub-agents as their own sessions', () => {
  const agents = new Set(sessions.map((s) => s.agent));
  assert.deepEqual([...agents].sort(), ['Claude Code', 'OpenHands CodeAct', 'OpenHands resolver', 'SWE-agent', 'aider', 'mini-swe-agent v2']);
  assert.ok(sessions.filter((s) => s.id.includes('sub-agent')).length >= 4);
});

test('facts of a mini-swe-agent session come from the raw file: task, files written, final patch, last error', () => {
  const facts = deriveFacts(byId('astropy__astropy-12907').raw).facts;
  const of = (c: string) => facts.filter((f) => f.category === c).map((f) => f.label);
  assert.ok(of('task').some((t) => t.includes('separability_matrix')), 'the PR text is the task');
  assert.ok(of('identifiers').includes('separability_matrix'));
  assert.ok(of('files_written').includes('patch.txt'), 'a shell redirection is a write');
  assert.deepEqual(of('patch_files'), ['astropy/modeling/separable.py']);
  assert.match(of('last_error')[0], /ModuleNotFoundError/);
});

test('facts of a SWE-agent run: the issue text, files its editor wrote (not a rejected edit), the submitted patch', () => {
  const facts = deriveFacts(byId('marshmallow-1867 default_sys-env_window100').raw);
  const of = (c: string) => facts.facts.filter((f) => f.category === c).map((f) => f.label);
  assert.ok(of('task').some((t) => t.includes('TimeDelta serialization precision')), 'the issue is the task, not SWE-agent\'s instructions');
  assert.ok(!of('task').some((t) => t.includes('INSTRUCTIONS')));
  assert.deepEqual(of('files_written'), ['reproduce.py', '/marshmallow-code__marshmallow/src/marshmallow/fields.py'], 'a created file once, by the name the agent gave it; the edited source by its window');
  assert.deepEqual(of('patch_files'), ['src/marshmallow/fields.py']);
  assert.deepEqual(of('last_command'), ['submit'], 'submitting is the last command the agent ran');
  assert.deepEqual(of('last_outcome'), [], 'what it returned ended the run: the model never saw it');
});

test('shell writes: redirections, tee, sed -i, heredocs and Python open(…, "w"); reads are not writes', () => {
  assert.deepEqual(shellWrites("cat > src/a.py << 'EOF'\nif a > b: pass\nEOF"), ['src/a.py']);
  assert.deepEqual(shellWrites('sed -i "s/x/y/" lib/b.py && grep -n y lib/b.py | tee out.log'), ['out.log', 'lib/b.py']);
  assert.deepEqual(shellWrites('python -c "open(\'c.txt\', \'w\').write(1)"'), ['c.txt']);
  assert.deepEqual(shellWrites('cat src/a.py 2>&1 | head -20; ls > /dev/null'), []);
});

test('a ledger is judged against the raw session: a viewed-only file and a non-error line are caught', () => {
  const session = byId('django__django-11239');
  const facts = deriveFacts(session.raw);
  const ledger = (files: string[], error: string): Conversation => ({
    tools: [],
    items: [{ kind: 'message', role: 'user', content: [{ type: 'text', text: `## Session ledger\n### Files changed\n${files.map((f) => `- edited: ${f}`).join('\n')}\n### Current error\n- ${error}` }] }],
  });
  const written = '/workspace/django__django__3.0/django/db/backends/postgresql/client.py';
  const good = judgeLedger(ledger([written], 'none outstanding'), facts);
  assert.deepEqual([good.listed, good.falseChanged, good.falseError], [1, [], null]);
  const viewed = '/workspace/django__django__3.0/django/db/backends/base/client.py';
  const bad = judgeLedger(ledger([written, viewed], 'AUTHORS\t\t  INSTALL\t  README.rst'), facts);
  assert.deepEqual(bad.falseChanged, [viewed]);
  assert.ok(bad.falseError, 'an ls row is not a current error');
});

test('a patch run writes the files its output reports patching; a failed or unrelated run names none', () => {
  assert.deepEqual(runWrites('patch -p1 < fix.patch', 'patching file src/sqlfluff/rules/L036.py\nHunk #1 succeeded at 110 (offset -3 lines).'), ['src/sqlfluff/rules/L036.py']);
  assert.deepEqual(runWrites('cat notes.txt', 'patching file src/a.py'), []);
});
