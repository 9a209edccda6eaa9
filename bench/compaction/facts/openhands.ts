// Traces of OpenHands sessions, read from the raw files: CodeAct chat-completions dumps
// (execute_bash, str_replace_editor) and resolver output (flat run / run_ipython events).
import { contentText, parseArgs, type Step, type Trace } from './trace.ts';
import { exitCodeOf, runFailed, runWrites } from './shell.ts';

const EDITOR_WRITES = new Set(['create', 'str_replace', 'insert', 'undo_edit']);
const EDIT_FAILED = /^(ERROR|Invalid|No replacement was performed)|did not appear verbatim|\[Your proposed edit has introduced/m;

/** The PR or issue text inside the first user message, when it is wrapped in a tag. */
export function taskOf(text: string): string {
  const tagged = /<pr_description>([\s\S]*?)<\/pr_description>/.exec(text) ?? /# Problem Statement\n([\s\S]*?)(\n\nIMPORTANT:|$)/.exec(text);
  return (tagged ? tagged[1] : text).trim();
}

function runSteps(command: string, output: string, exit: number | null = exitCodeOf(output)): Step[] {
  return [{ kind: 'run', command, output, exitCode: exit, failed: runFailed(output, exit) }, ...runWrites(command, output).map((path) => ({ kind: 'write' as const, path, applied: true }))];
}

export function openHandsChatTrace(data: any): Trace {
  const messages: any[] = data.messages ?? [];
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === 'tool') results.set(String(m.tool_call_id), contentText(m.content));
  const steps: Step[] = [];
  for (const m of messages) {
    for (const call of m.role === 'assistant' ? m.tool_calls ?? [] : []) {
      const args = parseArgs(call.function?.arguments);
      const output = results.get(String(call.id));
      if (output === undefined) continue;
      const name = String(call.function?.name ?? '');
      if (name === 'execute_bash' && typeof args.command === 'string') steps.push(...runSteps(args.command, output));
      else if (name === 'str_replace_editor' && EDITOR_WRITES.has(String(args.command)) && typeof args.path === 'string') {
        steps.push({ kind: 'write', path: args.path, applied: !EDIT_FAILED.test(output) });
      }
    }
  }
  const firstUser = messages.find((m) => m.role === 'user');
  return { task: taskOf(contentText(firstUser?.content)), steps };
}

const IPYTHON_WRITES = /\b(create_file|edit_file_by_replace|append_file|insert_content_at_line|edit_file)\(\s*(?:file_name\s*=\s*)?['"]([^'"]+)['"]/g;

export function openHandsResolverTrace(run: any): Trace {
  const history: any[] = run.history ?? [];
  const steps: Step[] = [];
  let pending: any;
  for (const event of history) {
    if (event.action === 'run' || event.action === 'run_ipython') pending = event;
    else if ((event.observation === 'run' || event.observation === 'run_ipython') && pending) {
      const output = String(event.content ?? '');
      if (pending.action === 'run') {
        const command = String(pending.args?.command ?? pending.command ?? '');
        const exit = typeof (event.exit_code ?? event.extras?.exit_code) === 'number' ? Number(event.exit_code ?? event.extras?.exit_code) : exitCodeOf(output);
        steps.push(...runSteps(command, output, exit));
      } else {
        const code = String(pending.args?.code ?? pending.code ?? '');
        for (const m of code.matchAll(IPYTHON_WRITES)) steps.push({ kind: 'write', path: m[2], applied: !EDIT_FAILED.test(output) });
      }
      pending = undefined;
    }
  }
  const task = run.issue ? `${run.issue.title ?? ''}\n${run.issue.body ?? ''}`.trim() : taskOf(String(run.instruction ?? ''));
  return { task, steps, patch: typeof run.git_patch === 'string' ? run.git_patch : undefined };
}
