// What the ledger says about commands is true and current: a search that found nothing is not an
// error, a failure or a command in the verbatim tail supersedes older ones, a command the human ran
// from aider's prompt is a command, and code shown in prose is not one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item } from '../../src/conversation/model.ts';
import { extractLedger, renderLedger } from '../../src/compaction/index.ts';
import { textActionOf } from '../../src/conversation/text-protocol.ts';

let n = 0;
const bash = (command: string, output: string): Item[] => {
  const callId = `call_${++n}`;
  return [
    { kind: 'tool_call', callId, name: 'bash', arguments: JSON.stringify({ command }), toolKind: 'function' },
    { kind: 'tool_result', callId, output, toolKind: 'function' },
  ];
};
const say = (role: 'user' | 'assistant', text: string): Item => ({ kind: 'message', role, content: [{ type: 'text', text }] });
const observe = (text: string): Item => ({ kind: 'message', role: 'user', content: [{ type: 'text', text }], observation: true });

test('a pipeline ending in grep that matched nothing (exit 1, no output) is not the current error', () => {
  const ledger = extractLedger([
    say('user', 'Find where check_modpath_has_init changed.'),
    ...bash('cd /testbed && git log --oneline v2.9.0..v2.9.1 -p -- astroid/modutils.py | grep -A10 "check_modpath_has_init"', '<returncode>1</returncode>\n<output>\n</output>'),
  ]);
  assert.equal(ledger.latestError, null);
  assert.match(renderLedger(ledger), /### Current error\n- none outstanding/);
});

test('a failure in the verbatim tail replaces an older error from the summarized part', () => {
  const retired = [say('user', 'Make the delete test pass.'), ...bash('python test_delete.py', 'Traceback (most recent call last):\n  File "test_delete.py", line 3\nRuntimeError: Model class Parent isn\'t in INSTALLED_APPS.\n[The command completed with exit code 1.]')];
  const kept = bash('python test_delete.py', 'Traceback (most recent call last):\n  File "test_delete.py", line 9\ndjango.db.utils.IntegrityError: FOREIGN KEY constraint failed\n[The command completed with exit code 1.]');
  const ledger = extractLedger(retired, 8000, kept);
  assert.equal(ledger.latestError?.line, 'django.db.utils.IntegrityError: FOREIGN KEY constraint failed');
});

test('the last command is the newest one, with its last lines, even when it is in the verbatim tail', () => {
  const retired = [say('user', 'List the types.'), ...bash('mkdir -p types', '[The command completed with exit code 0.]')];
  const kept = bash('ls -la types/', 'total 8\n-rw-r--r-- 1 dev staff 1369 Sep 3 09:53 utils.ts\n[The command completed with exit code 0.]');
  const ledger = extractLedger(retired, 8000, kept);
  assert.equal(ledger.lastCommand?.command, 'ls -la types/');
  assert.match(ledger.lastCommand?.outputTail ?? '', /utils\.ts$/);
});

test("aider's /run is a command: its output, in the next message, is the last command's outcome", () => {
  const warning = 'WARNING: --strip-extras is becoming the default in version 8.0.0. To silence this warning, either use --strip-extras to opt into the new default or use --no-strip-extras to retain the existing behavior.';
  const ledger = extractLedger([say('user', '/run scripts/pip-compile.sh --upgrade'), observe(warning)]);
  assert.equal(ledger.lastCommand?.command, 'scripts/pip-compile.sh --upgrade');
  assert.ok(renderLedger(ledger).includes(warning), 'a long last line is kept whole');
  const reported = extractLedger([say('user', 'I ran this command:\n\npytest -q\n\nAnd got this output:\n\nFAILED tests/test_a.py::test_x - AssertionError\n1 failed in 0.2s\n')]);
  assert.equal(reported.lastCommand?.command, 'pytest -q');
  assert.equal(reported.latestError?.line, 'FAILED tests/test_a.py::test_x - AssertionError');
});

test('a code block followed by more prose is shown, not run: no phantom command from an explanation', () => {
  const prose = 'The error message mentions:\n```\nRequirementInformation(requirement=SpecifierRequirement(\'tokenizers<0.20\'))\n```\n\nThis indicates that transformers needs a newer tokenizers.';
  assert.equal(textActionOf(prose), undefined);
  assert.deepEqual(textActionOf('THOUGHT: look at the file.\n\n```bash\ncat setup.py\n```\n'), { name: 'shell', args: { command: 'cat setup.py' } });
  const ledger = extractLedger([say('user', 'Why do the versions conflict?'), say('assistant', prose), observe('Tokens: 18,939 sent, 436 received.')]);
  assert.equal(ledger.lastCommand, null);
});

test("an OpenHands cell of editor skills only (open_file, edit_file_by_replace) edits files; the last command stays the last shell run", () => {
  const ipython = (code: string, output: string): Item[] => {
    const callId = `call_${++n}`;
    return [
      { kind: 'tool_call', callId, name: 'execute_ipython_cell', arguments: JSON.stringify({ code }), toolKind: 'function' },
      { kind: 'tool_result', callId, output, toolKind: 'function' },
    ];
  };
  const ledger = extractLedger([
    say('user', 'Add a dark mode toggle.'),
    ...bash('ls -R /workspace', '/workspace:\nsrc\n\n/workspace/src:\nApp.tsx\nreact.svg\n[The command completed with exit code 0.]'),
    ...ipython("open_file('/workspace/src/App.tsx')", '[File: /workspace/src/App.tsx (20 lines total)]\n1|import React'),
    ...ipython("edit_file_by_replace(\n'/workspace/src/App.tsx',\nto_replace=\"a)\",\nnew_content=\"\"\"b; print(x)\n\"\"\"\n)", '[File updated (edited at line 3).]'),
  ]);
  assert.deepEqual(ledger.files, [{ path: '/workspace/src/App.tsx', change: 'edited' }]);
  assert.equal(ledger.lastCommand?.command, 'ls -R /workspace');
  assert.match(ledger.lastCommand?.outputTail ?? '', /react\.svg$/);
  const script = extractLedger([say('user', 'Check it.'), ...ipython("import os\nprint(os.listdir('/workspace'))", "['src']")]);
  assert.equal(script.lastCommand?.command, "import os\nprint(os.listdir('/workspace'))");
});

test('identifiers stay a short list: download URLs of an install log do not crowd out the values the user gave', () => {
  const wheels = Array.from({ length: 40 }, (_, i) => `https://files.pythonhosted.org/packages/${String(i).padStart(2, '0')}/78/c23e1c70b89f361d855a5d0a19b229297f6456961f9a1afa9a69cd5a70c3/transformers-4.${i}.0-py3-none-any.whl`);
  const ledger = extractLedger([say('user', 'Serve it with PORT=8080 from https://git.example.com/acme/app'), say('assistant', `Resolver tried:\n${wheels.join('\n')}`)]);
  assert.ok(ledger.identifiers.includes('PORT=8080'));
  assert.ok(ledger.identifiers.includes('https://git.example.com/acme/app'));
  assert.ok(ledger.identifiers.join('').length <= 1200, `${ledger.identifiers.join('').length} characters of identifiers`);
});

test('the last command is kept whole up to 1,000 characters (it is what the agent may run again); the list of commands cuts at 200', () => {
  const long = `RsaCtfTool.py --publickey "pub1.pub,pub2.pub" --decrypt 0x${'A7'.repeat(250)}`;
  const ledger = extractLedger([say('user', 'Recover the flag.'), ...bash(long, 'Timed out.\n[The command completed with exit code 124.]')]);
  assert.equal(ledger.lastCommand?.command, long);
  assert.equal(ledger.commands.at(-1)?.command.length, 200);
  assert.ok(renderLedger(ledger).includes(long));
});
