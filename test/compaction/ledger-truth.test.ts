// The ledger says only what is true: a file is "edited" only with evidence of a write (each tool's
// semantics, shell writes), files only read are listed apart, nothing that is not a path; exit codes
// come from each agent's own markers; the current error only from a failed command, cleared when the
// same command later succeeds; the last command is kept with its exit code and last lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import type { Item } from '../../src/conversation/model.ts';
import { extractLedger, renderLedger } from '../../src/compaction/index.ts';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';

let n = 0;
/** A tool call and its result. */
const call = (name: string, args: unknown, output: string, extra: { isError?: boolean; custom?: boolean } = {}): Item[] => {
  const callId = `call_${++n}`;
  return [
    { kind: 'tool_call', callId, name, arguments: typeof args === 'string' ? args : JSON.stringify(args), toolKind: extra.custom ? 'custom' : 'function' },
    { kind: 'tool_result', callId, output, toolKind: extra.custom ? 'custom' : 'function', ...(extra.isError ? { isError: true } : {}) },
  ];
};
const say = (role: 'user' | 'assistant', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });
const observe = (text: string): Item => ({ kind: 'message', role: 'user', content: [{ type: 'text', text }], observation: true });
const bash = (command: string, output: string) => call('execute_bash', { command }, output);

test('OpenHands editor: view is a read, create/str_replace/insert/undo_edit are writes, a rejected edit writes nothing', () => {
  const ledger = extractLedger([
    say('user', 'Fix the parser.'),
    ...call('str_replace_editor', { command: 'view', path: '/repo/src/parser.py' }, "Here's the result of running `cat -n` on /repo/src/parser.py:\n 1\timport re"),
    ...call('str_replace_editor', { command: 'view', path: '/repo/src/lexer.py' }, 'ERROR:\nInvalid `path` parameter'),
    ...call('str_replace_editor', { command: 'create', path: '/repo/reproduce.py', file_text: 'print(1)' }, 'File created successfully at: /repo/reproduce.py'),
    ...call('str_replace_editor', { command: 'str_replace', path: '/repo/src/parser.py', old_str: 'a', new_str: 'b' }, 'The file /repo/src/parser.py has been edited.'),
    ...call('str_replace_editor', { command: 'str_replace', path: '/repo/src/tokens.py', old_str: 'zz', new_str: 'b' }, 'ERROR:\nNo replacement was performed, old_str `zz` did not appear verbatim in /repo/src/tokens.py.'),
    ...call('str_replace_editor', { command: 'insert', path: '/repo/src/ast.py', insert_line: 3, new_str: 'x' }, 'The file /repo/src/ast.py has been edited.'),
  ]);
  assert.deepEqual(ledger.files, [
    { path: '/repo/reproduce.py', change: 'created' },
    { path: '/repo/src/parser.py', change: 'edited' },
    { path: '/repo/src/ast.py', change: 'edited' },
  ]);
  assert.deepEqual(ledger.filesRead, ['/repo/src/lexer.py']);
  assert.equal(ledger.latestError, null, 'an editor’s ERROR: header is not a failed command');
});

test('Claude Code Edit/Write/MultiEdit are writes, Read is a read; Codex apply_patch; SWE-agent edit/create on the open file', () => {
  const ledger = extractLedger([
    ...call('Read', { file_path: '/app/src/page.tsx' }, '     1→export default function Page() {}'),
    ...call('Read', { file_path: '/app/src/layout.tsx' }, '     1→export const x = 1'),
    ...call('Edit', { file_path: '/app/src/page.tsx', old_string: 'a', new_string: 'b' }, 'The file /app/src/page.tsx has been updated.'),
    ...call('MultiEdit', { file_path: '/app/src/util.ts', edits: [] }, 'Applied 2 edits'),
    ...call('Write', { file_path: '/app/src/new.ts', content: 'x' }, 'File created successfully at: /app/src/new.ts'),
    ...call('Edit', { file_path: '/app/src/gone.ts', old_string: 'a', new_string: 'b' }, '<tool_use_error>String to replace not found in file.</tool_use_error>', { isError: true }),
    ...call('apply_patch', '*** Begin Patch\n*** Add File: lib/retry.ts\n+x\n*** Update File: lib/client.ts\n@@\n-a\n+b\n*** End Patch', 'Done!', { custom: true }),
    say('assistant', 'Open the file.\n```\nopen src/fields.py\n```'),
    observe('[File: /repo/src/fields.py (200 lines total)]\n1:import x\n(Open file: /repo/src/fields.py)\n(Current directory: /repo)\nbash-$'),
    say('assistant', 'Fix the rounding.\n```\nedit 12:12\n        return int(round(value > 0 and value or 0))  # > redirect-looking text\nend_of_edit\n```'),
    observe('[File: /repo/src/fields.py (200 lines total)]\n12:        return int(round(value))\nFile updated.\n(Open file: /repo/src/fields.py)\n(Current directory: /repo)\nbash-$'),
    say('assistant', '```\ncreate reproduce.py\n```'),
    observe('[File: /repo/reproduce.py (1 lines total)]\n1:\n(Open file: /repo/reproduce.py)\n(Current directory: /repo)\nbash-$'),
  ]);
  assert.deepEqual(ledger.files, [
    { path: '/app/src/page.tsx', change: 'edited' },
    { path: '/app/src/util.ts', change: 'edited' },
    { path: '/app/src/new.ts', change: 'created' },
    { path: 'lib/retry.ts', change: 'created' },
    { path: 'lib/client.ts', change: 'edited' },
    { path: '/repo/src/fields.py', change: 'edited' },
    { path: '/repo/reproduce.py', change: 'created' },
  ]);
  assert.deepEqual(ledger.filesRead, ['/app/src/layout.tsx'], 'src/fields.py was opened, then edited as /repo/src/fields.py: one file');
  assert.deepEqual(ledger.commands, [], 'SWE-agent editor commands are file actions, not commands run');
});

test('shell writes: redirections, tee, sed -i, git apply and patch by their output; heredoc and quoted code never make a path', () => {
  const ledger = extractLedger([
    ...bash("cat > /repo/reproduce.py << 'EOF'\nlet total = a > b\nwith open('out.txt', 'w') as f: f.write(x >> 2)\nEOF\npython /repo/reproduce.py", 'ok\n[Command finished with exit code 0]'),
    ...bash('python -c "print(1 > 0)" 2>&1 | tee run.log', 'True\n[Command finished with exit code 0]'),
    ...bash("sed -i 's/old/new/' src/config.py && echo done >> notes.md", 'done\n[Command finished with exit code 0]'),
    ...bash("sed -n '1,40p' src/settings.py && cat src/urls.py && grep -n error src/error.h", 'lines\n[Command finished with exit code 0]'),
    ...bash('git apply fix.diff && patch -p1 < more.diff', 'Applied patch src/models.py cleanly.\npatching file src/views.py\n[Command finished with exit code 0]'),
    ...bash('ls > /dev/null 2>&1; echo $HOME > $OUT', '[Command finished with exit code 0]'),
  ]);
  assert.deepEqual(ledger.files.map((f) => `${f.change} ${f.path}`), [
    'created /repo/reproduce.py',
    'created run.log',
    'edited src/config.py',
    'created notes.md',
    'edited src/models.py',
    'edited src/views.py',
  ]);
  assert.deepEqual(ledger.filesRead, ['src/settings.py', 'src/urls.py']);
  for (const f of ledger.files) assert.doesNotMatch(f.path, /^(?:let|out\.txt|b|2|\$)/);
});

test('relative paths resolve against the directory a command runs in', () => {
  const ledger = extractLedger([
    ...bash('cd /testbed && sed -i "s/a/b/" astroid/modutils.py && cat > ../tmp/check.py <<EOF\nx = 1\nEOF', '[Command finished with exit code 0]'),
    say('assistant', '```\nrm reproduce.py\n```'),
    observe('Your command ran successfully and did not produce any output.\n(Open file: n/a)\n(Current directory: /repo)\nbash-$'),
  ]);
  assert.deepEqual(ledger.files, [
    { path: '/testbed/astroid/modutils.py', change: 'edited' },
    { path: '/tmp/check.py', change: 'created' },
    { path: 'reproduce.py', change: 'deleted' },
  ], 'the directory an observation reports applies from the next action on');
});

test('a write no command shows (a script that edits a file) is credited when git diff or git status shows it', () => {
  const ledger = extractLedger([
    ...bash('cd /testbed && python /tmp/fix.py', 'patched\n[Command finished with exit code 0]'),
    ...bash('cd /testbed && git diff', 'diff --git a/django/db/models/base.py b/django/db/models/base.py\nindex 1..2 100644\n--- a/django/db/models/base.py\n+++ b/django/db/models/base.py\n@@ -1 +1 @@\n   keep.py\n-a\n+b\n[Command finished with exit code 0]'),
    ...bash('git status', 'On branch main\nChanges not staged for commit:\n\tmodified:   src/app.py\n\tdeleted:    src/old.py\nUntracked files:\n\tscratch.py\n[Command finished with exit code 0]'),
    ...bash('git diff > patch.txt', '[Command finished with exit code 0]'),
  ]);
  assert.deepEqual(ledger.files.map((f) => `${f.change} ${f.path}`), ['edited /testbed/django/db/models/base.py', 'edited src/app.py', 'deleted src/old.py', 'created patch.txt']);
});

test('exit codes come from each agent’s own marker', () => {
  const ledger = extractLedger([
    ...bash('pytest -x', 'FAILED tests/test_a.py::test_one\n[The command completed with exit code 1.]'),
    ...bash('make', 'ok\n[Command finished with exit code 0]'),
    ...call('bash', { command: 'ls missing' }, '<returncode>2</returncode>\n<output>\nls: cannot access \'missing\': No such file or directory\n</output>'),
    ...call('shell', { command: ['bash', '-lc', 'cargo build'] }, JSON.stringify({ output: 'error[E0308]: mismatched types', metadata: { exit_code: 101, duration_seconds: 1.2 } })),
    ...call('exec_command', { cmd: 'npm run lint' }, 'Exit code: 3\nWall time: 0.4 seconds\nOutput:\nsrc/a.ts:1:1 - error TS2304: Cannot find name x'),
    ...call('Bash', { command: 'npm run build' }, 'npm warn config\n> Build error occurred\n[TypeError: generate is not a function]', { isError: true }),
  ]);
  assert.deepEqual(ledger.commands.map((c) => [c.command, c.exitCode, c.failed]), [
    ['pytest -x', 1, true],
    ['make', 0, false],
    ['ls missing', 2, true],
    ['cargo build', 101, true],
    ['npm run lint', 3, true],
    ['npm run build', null, true],
  ]);
  assert.equal(ledger.latestError?.line, '[TypeError: generate is not a function]');
  const codex = extractLedger(call('shell', { command: ['bash', '-lc', 'cargo build'] }, JSON.stringify({ output: 'Compiling x\nerror[E0308]: mismatched types', metadata: { exit_code: 101 } })));
  assert.deepEqual(codex.latestError, { command: 'cargo build', line: 'error[E0308]: mismatched types' }, 'the printed text inside a JSON result is read');
  const sweAgent = extractLedger([say('assistant', '```\ncurl http://localhost:8000/flag\n```'), observe('FLAG{x}///PROCESS-DONE:7:PROCESS-DONE///\n(Open file: n/a)\n(Current directory: /ctf)\nbash-$')]);
  assert.deepEqual(sweAgent.lastCommand, { command: 'curl http://localhost:8000/flag', exitCode: 7, failed: true, outputTail: 'FLAG{x}' });
  assert.match(renderLedger(ledger), /- `npm run build` → failed/);
});

test('the current error comes only from a failed command, and clears when the same command later succeeds', () => {
  const notErrors = extractLedger([
    ...bash('ls include/', 'error.h\nparser.h\n[Command finished with exit code 0]'),
    ...bash('grep -rn "SyntaxError(" src/', 'src/ast.c:12:    ast_error(c, n, "SyntaxError(...)");\n[Command finished with exit code 0]'),
    ...bash('grep -rn nothing src/', '[Command finished with exit code 1]'),
    say('assistant', '```\ncat src/errors.py\n```'),
    observe('class ParseError(Exception):\n    raise SyntaxError("bad token")\nERROR:\n(Open file: n/a)\n(Current directory: /repo)\nbash-$'),
  ]);
  assert.equal(notErrors.latestError, null);
  assert.deepEqual(notErrors.commands.map((c) => c.failed), [false, false, false, false]);

  const fixed = extractLedger([
    say('assistant', '```\npython reproduce.py\n```'),
    observe('Traceback (most recent call last):\n  File "reproduce.py", line 3, in <module>\n    print(td.serialize())\nValueError: precision lost\n(Open file: n/a)\n(Current directory: /repo)\nbash-$'),
    say('assistant', '```\npython reproduce.py\n```'),
    observe('345\n(Open file: n/a)\n(Current directory: /repo)\nbash-$'),
  ]);
  assert.equal(fixed.latestError, null, 'cleared by a clean run of the same command');
  assert.deepEqual(fixed.resolvedErrors, ['ValueError: precision lost']);

  const open = extractLedger([
    ...bash('pytest tests/test_fields.py', '==== 1 failed, 12 passed in 0.4s ====\n[Command finished with exit code 1]'),
    ...bash('python other.py', 'fine\n[Command finished with exit code 0]'),
  ]);
  assert.deepEqual(open.latestError, { command: 'pytest tests/test_fields.py', line: '==== 1 failed, 12 passed in 0.4s ====' }, 'another command succeeding does not clear it');
});

test('an error fixed in the verbatim tail is not current, also for an agent that reports no exit codes', () => {
  const retired = [...bash('npm test', 'Tests: 2 failed, 5 passed\n[Command finished with exit code 1]'), say('assistant', '```\npython reproduce.py\n```'), observe('Traceback (most recent call last):\n  File "reproduce.py", line 1\nKeyError: \'ms\'\nbash-$')];
  const kept = [...bash('npm test', 'Tests: 7 passed\n[Command finished with exit code 0]'), say('assistant', '```\npython reproduce.py\n```'), observe('345\nbash-$')];
  assert.deepEqual(extractLedger(retired).latestError, { command: 'python reproduce.py', line: "KeyError: 'ms'" });
  const ledger = extractLedger(retired, 8000, kept);
  assert.equal(ledger.latestError, null);
  assert.deepEqual(ledger.resolvedErrors, ["KeyError: 'ms'"]);
});

test('the last command is kept with its exit code and its last lines of output', () => {
  const ledger = extractLedger([
    ...bash('pytest -q', Array.from({ length: 30 }, (_, i) => `test line ${i}`).join('\n') + '\n2 failed, 28 passed\n[Command finished with exit code 1]\n[Python Interpreter: /usr/bin/python]'),
  ]);
  assert.deepEqual(ledger.lastCommand, { command: 'pytest -q', exitCode: 1, failed: true, outputTail: 'test line 26\ntest line 27\ntest line 28\ntest line 29\n2 failed, 28 passed' });
  assert.match(renderLedger(ledger), /### Last command\n`pytest -q` → 1, ending with:\n```\ntest line 26[\s\S]*2 failed, 28 passed\n```/);
});

test('real OpenHands sessions: no file viewed only is listed as changed, no phantom path, no current error that is not a failure', () => {
  const dir = new URL('../fixtures/trajectories/real/openhands_codeact_fncall__chat_completions/', import.meta.url).pathname;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const { conversation } = loadSessionFile(readFileSync(dir + file, 'utf8'), file);
    const written = new Set<string>();
    const viewed = new Set<string>();
    for (const item of conversation.items) {
      if (item.kind !== 'tool_call' || item.name !== 'str_replace_editor') continue;
      const args = JSON.parse(item.arguments);
      (args.command === 'view' ? viewed : written).add(args.path);
    }
    const ledger = extractLedger(conversation.items);
    for (const { path } of ledger.files) {
      assert.ok(path.startsWith('/'), `${file}: ${path} is an absolute path`);
      assert.ok(!viewed.has(path) || written.has(path) || /^(?:rm|mv|cp|cat|echo|sed|touch)\b/m.test(JSON.stringify(conversation.items)), `${file}: ${path} only viewed`);
    }
    if (ledger.latestError) {
      assert.doesNotMatch(ledger.latestError.line, /^\s*\d+\t|^ERROR:$/, `${file}: ${ledger.latestError.line}`);
      assert.ok(ledger.commands.some((c) => c.failed && c.command === ledger.latestError!.command), `${file}: the error comes from a failed command`);
    }
    assert.ok(ledger.commands.every((c) => c.exitCode !== null), `${file}: every OpenHands command has its exit code`);
  }
});

test('text an agent injects into a user turn is not quoted as the user’s words', () => {
  const ledger = extractLedger([
    say('user', 'Add a dark mode toggle.'),
    say('user', '<system-reminder>\nThe TodoWrite tool has not been used recently.\n</system-reminder>'),
    say('user', '[Request interrupted by user for tool use]'),
    say('assistant', 'Done.'),
    { kind: 'message', role: 'user', content: [{ type: 'text', text: 'Please continue working on the task on whatever approach you think is suitable.' }], observation: true },
    say('user', 'Thanks! Please update CLAUDE.md too.'),
  ]);
  assert.deepEqual(ledger.userMessages, ['Add a dark mode toggle.', 'Thanks! Please update CLAUDE.md too.']);
});

test('identifiers are values, not code or prose: no `DATABASES={\\n`, no `branch or`', () => {
  const ledger = extractLedger([
    say('user', 'Work on branch feature/stream-tokenizer; the API runs on port 8080. Either this branch or that one.'),
    ...bash("cat > settings.py <<'EOF'\nDATABASES={\n    'default': {}\n}\nINSTALLED_APPS=[\n]\nEOF\nDEBUG=1 PYTHONPATH=/testbed python -m pytest", 'see http://localhost:3001\n- next\n[Command finished with exit code 0]'),
  ]);
  assert.deepEqual(ledger.identifiers, ['branch feature/stream-tokenizer', 'port 8080', 'DEBUG=1', 'PYTHONPATH=/testbed']);
});

test('SWE-agent with function calling: edit acts on the file its tool results show open, a rejected edit writes nothing, submit shows the diff', () => {
  const state = (open: string) => `\n(Open file: ${open})\n(Current directory: /testbed)\nbash-$`;
  const ledger = extractLedger([
    say('user', `Fix TimeDelta rounding.${state('n/a')}`),
    ...call('create', { filename: 'reproduce.py' }, `[File: reproduce.py (1 lines total)]\r\n1:${state('/testbed/reproduce.py')}`),
    ...call('open', { path: 'src/marshmallow/fields.py', line_number: 1474 }, `[File: src/marshmallow/fields.py (1997 lines total)]\r\n1474:    x${state('/testbed/src/marshmallow/fields.py')}`),
    ...call('open', { path: 'src/marshmallow/utils.py' }, `[File: src/marshmallow/utils.py (300 lines total)]${state('/testbed/src/marshmallow/utils.py')}`),
    ...call('open', { path: 'src/marshmallow/fields.py' }, `[File: src/marshmallow/fields.py (1997 lines total)]${state('/testbed/src/marshmallow/fields.py')}`),
    ...call('edit', { search: 'int(', replace: 'int(round(' }, `Your proposed edit has introduced new syntax error(s).${state('/testbed/src/marshmallow/fields.py')}`),
    ...call('edit', { search: 'int(', replace: 'int(round(' }, `Text replaced.${state('/testbed/src/marshmallow/fields.py')}`),
    ...call('submit', {}, '\r\ndiff --git a/src/marshmallow/schema.py b/src/marshmallow/schema.py\r\nindex 1..2 100644\r\n'),
  ]);
  assert.deepEqual(ledger.files.map((f) => `${f.change} ${f.path}`), ['created /testbed/reproduce.py', 'edited /testbed/src/marshmallow/fields.py', 'edited /testbed/src/marshmallow/schema.py']);
  assert.deepEqual(ledger.filesRead, ['/testbed/src/marshmallow/utils.py']);
});

test('aider: SEARCH/REPLACE edits count once the next turn does not report them failed; its lint reflection is an observation', () => {
  const block = (path: string, search: string) => `${path}\n\`\`\`python\n<<<<<<< SEARCH\n${search}=======\nx = 2 > 1\n>>>>>>> REPLACE\n\`\`\``;
  const ledger = extractLedger([
    say('user', 'Add a test for the repo map.'),
    say('assistant', `Here are the edits.\n\n${block('tests/basic/test_repomap.py', 'import os\n')}\n\n${block('aider/new_module.py', '')}\n\n${block('tests/basic/test_main.py', 'def old():\n')}`),
    { kind: 'message', role: 'user', content: [{ type: 'text', text: '# 1 SEARCH/REPLACE block failed to match!\n\n## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in tests/basic/test_main.py\n<<<<<<< SEARCH\ndef old():\n' }], observation: true },
    say('assistant', `Fixed:\n\n${block('aider/unapplied.py', 'y = 1\n')}`),
  ]);
  assert.deepEqual(ledger.files, [
    { path: 'tests/basic/test_repomap.py', change: 'edited' },
    { path: 'aider/new_module.py', change: 'created' },
  ], 'the unmatched block and the edit no turn has answered yet are not counted; code inside the blocks is not a command');
  assert.deepEqual(ledger.commands, []);
});
