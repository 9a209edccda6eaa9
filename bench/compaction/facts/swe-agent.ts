// Traces of SWE-agent `.traj` files, read raw: each `trajectory` step's action as the agent wrote it
// and the environment's observation; the issue (or challenge) text from the first user message;
// the submitted patch. SWE-agent reports no exit codes, so a failed run is read from its output.
// Its editor commands are writes, not runs: `create <file>`; `edit` (by lines or search and
// replace), `insert` and `append` on the file its window shows; `str_replace_editor
// create|str_replace|insert <file>`. An edit it rejected writes nothing.
import { contentText, type Step, type Trace } from './trace.ts';
import { runFailed, runWrites } from './shell.ts';

/** How SWE-agent records a run it ended itself (cost or context exhausted, an error): not a command the agent ran. */
const INTERFACE = /^(exit_forfeit|exit_cost|exit_context|exit_error|exit_format|skip)\b/;
const REJECTED = /^(Your proposed edit has introduced new syntax error|Error: |ERROR|No replacement was performed|Usage: )/m;

function openFileOf(state: unknown): string | undefined {
  let parsed: any = state;
  if (typeof state === 'string') {
    try {
      parsed = JSON.parse(state);
    } catch {
      return undefined;
    }
  }
  const file = parsed?.open_file;
  return typeof file === 'string' && file !== 'n/a' ? file : undefined;
}

/** The file an editor observation shows (`[File: /repo/a.py (12 lines total)]`). */
const windowFileOf = (output: string) => /^\[File: (.+?) \(\d+ lines total\)\]/m.exec(output)?.[1];

function stepsOf(action: string, output: string, openFile: string | undefined): Step[] {
  const first = action.split('\n')[0].trim();
  const applied = !REJECTED.test(output.trimStart());
  const create = /^create\s+(\S+)/.exec(first);
  if (create) return [{ kind: 'write', path: create[1], applied }];
  if (/^(edit|insert|append)\b/.test(first)) {
    const path = (applied ? windowFileOf(output) : undefined) ?? openFile;
    return path ? [{ kind: 'write', path, applied }] : [];
  }
  const editor = /^str_replace_editor\s+(create|str_replace|insert|undo_edit)\s+(\S+)/.exec(first);
  if (editor) return [{ kind: 'write', path: editor[2], applied }];
  if (/^str_replace_editor\s+view\b/.test(first) || INTERFACE.test(first)) return [];
  return [{ kind: 'run', command: action, output, exitCode: null, failed: runFailed(output, null) }, ...runWrites(action, output).map((path) => ({ kind: 'write' as const, path, applied: true }))];
}

/** The task: the issue or challenge text of the first user message, without SWE-agent's instructions. */
function taskOf(text: string): string {
  const issue = /ISSUE:\n([\s\S]*?)\n+INSTRUCTIONS:/.exec(text) ?? /<pr_description>([\s\S]*?)<\/pr_description>/.exec(text);
  if (issue) return issue[1].trim();
  const cut = text.search(/\n+INSTRUCTIONS:/);
  return (cut === -1 ? text : text.slice(0, cut)).trim();
}

/** A path as the agent first named it: a later absolute form of a relative path written earlier takes that form. */
function samePathAs(paths: string[], path: string): string {
  return paths.find((p) => !p.startsWith('/') && path.endsWith(`/${p.replace(/^\.\//, '')}`)) ?? path;
}

export function sweAgentTrace(data: any): Trace {
  const steps: Step[] = [];
  // The file the editor window shows: from the recorded state, else from the last window header seen.
  let window: string | undefined;
  const history: any[] = data.history ?? [];
  const trajectory: any[] = data.trajectory ?? [];
  // A run ends on its last action: what that action returned is recorded but was never shown to the model.
  const lastShown = history.at(-1)?.role === 'assistant' ? trajectory.length - 1 : trajectory.length;
  for (const [index, step] of trajectory.entries()) {
    const action = String(step?.action ?? '').trim();
    const output = index < lastShown ? String(step?.observation ?? '').replace(/\r\n/g, '\n') : '';
    if (action) steps.push(...stepsOf(action, output, openFileOf(step?.state) ?? window));
    window = windowFileOf(output) ?? window;
  }
  const written: string[] = [];
  for (const step of steps) {
    if (step.kind !== 'write') continue;
    step.path = samePathAs(written, step.path);
    if (!written.includes(step.path)) written.push(step.path);
  }
  const firstUser = history.find((m) => m.role === 'user' && !m.is_demo && m.message_type !== 'demonstration');
  const submission = String(data.info?.submission ?? '');
  return { task: taskOf(contentText(firstUser?.content)), steps, patch: /^\s*diff --git /.test(submission) ? submission : undefined };
}
