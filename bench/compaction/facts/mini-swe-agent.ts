// Traces of mini-swe-agent v2 `.traj.json` files, read raw: bash tool calls answered by
// `<returncode>N</returncode><output>…</output>`, the task in the first user message, the submitted patch.
import { contentText, parseArgs, type Step, type Trace } from './trace.ts';
import { exitCodeOf, runFailed, runWrites } from './shell.ts';
import { taskOf } from './openhands.ts';

export function miniSweAgentTrace(data: any): Trace {
  const messages: any[] = data.messages ?? [];
  const results = new Map<string, any>();
  for (const m of messages) if (m.role === 'tool') results.set(String(m.tool_call_id), m);
  const steps: Step[] = [];
  for (const m of messages) {
    for (const call of m.role === 'assistant' ? m.tool_calls ?? [] : []) {
      const result = results.get(String(call.id));
      const command = parseArgs(call.function?.arguments).command;
      if (!result || typeof command !== 'string') continue;
      const output = contentText(result.content);
      const exit = typeof result.extra?.returncode === 'number' ? result.extra.returncode : exitCodeOf(output);
      steps.push({ kind: 'run', command, output, exitCode: exit, failed: runFailed(output, exit) });
      for (const path of runWrites(command, output)) steps.push({ kind: 'write', path, applied: true });
    }
  }
  const firstUser = messages.find((m) => m.role === 'user');
  const submission = data.info?.submission;
  return { task: taskOf(contentText(firstUser?.content)), steps, patch: typeof submission === 'string' && submission.trim() ? submission : undefined };
}
