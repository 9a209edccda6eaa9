// Traces of Claude Code logs, read raw: one thread at a time (the main thread, or a Task
// sub-agent's parentUuid chain); Bash tool_use answered by tool_result (is_error marks a failure),
// Write/Edit/MultiEdit/NotebookEdit are writes; the task is the thread's first user text.
import { contentText, type Step, type Trace } from './trace.ts';
import { exitCodeOf, runFailed, runWrites } from './shell.ts';

const WRITE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/** The records of one thread: `main`, or the uuid of a sidechain's root record. */
export function threadRecords(records: any[], thread: string): any[] {
  const rootOf = new Map<string, string>();
  const out: any[] = [];
  for (const r of records) {
    if ((r?.type !== 'user' && r?.type !== 'assistant') || !r.message) continue;
    const parent = rootOf.get(String(r.parentUuid));
    const root = r.isSidechain ? (parent && parent !== 'main' ? parent : String(r.uuid)) : 'main';
    rootOf.set(String(r.uuid), root);
    if (root === thread) out.push(r);
  }
  return out;
}

export function claudeCodeTrace(records: any[], thread: string): Trace {
  const mine = threadRecords(records, thread);
  const results = new Map<string, { text: string; isError: boolean }>();
  for (const r of mine) {
    for (const b of Array.isArray(r.message.content) ? r.message.content : []) {
      if (b?.type === 'tool_result') results.set(String(b.tool_use_id), { text: contentText(b.content), isError: b.is_error === true });
    }
  }
  const steps: Step[] = [];
  let task = '';
  for (const r of mine) {
    const blocks = typeof r.message.content === 'string' ? [{ type: 'text', text: r.message.content }] : Array.isArray(r.message.content) ? r.message.content : [];
    for (const b of blocks) {
      if (r.type === 'user' && b?.type === 'text' && !task && !String(b.text).startsWith('<command-')) task = String(b.text).trim();
      if (b?.type !== 'tool_use') continue;
      const result = results.get(String(b.id));
      if (!result) continue;
      if (b.name === 'Bash' && typeof b.input?.command === 'string') {
        const exit = exitCodeOf(result.text);
        steps.push({ kind: 'run', command: b.input.command, output: result.text, exitCode: exit, failed: runFailed(result.text, exit, result.isError) });
        for (const path of runWrites(b.input.command, result.text)) steps.push({ kind: 'write', path, applied: true });
      } else if (WRITE_TOOLS.has(b.name) && typeof (b.input?.file_path ?? b.input?.notebook_path) === 'string') {
        steps.push({ kind: 'write', path: String(b.input.file_path ?? b.input.notebook_path), applied: !result.isError });
      }
    }
  }
  return { task, steps };
}
