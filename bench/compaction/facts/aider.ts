// Traces of aider sessions, read from the raw markdown: the first `#### ` turn is the task;
// `/run` and `/test` turns and aider's `> Running …` lines are commands (their `> ` output
// follows); `> Applied edit to …` lines are writes.
import type { Step, Trace } from './trace.ts';
import { exitCodeOf, runFailed } from './shell.ts';

/** The raw lines of the session that started at `startedAt`. */
export function aiderSessionLines(fileText: string, startedAt: string): string[] {
  const lines = fileText.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# aider chat started at ') && l.slice(24).trim() === startedAt);
  if (start === -1) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('# aider chat started at '));
  return lines.slice(start + 1, end === -1 ? lines.length : end).map((l) => l.replace(/ {2}$/, ''));
}

export function aiderTrace(fileText: string, startedAt: string): Trace {
  const lines = aiderSessionLines(fileText, startedAt);
  const steps: Step[] = [];
  let task = '';
  let run: { command: string; output: string[] } | undefined;
  const closeRun = () => {
    if (!run) return;
    const output = run.output.join('\n');
    const exit = exitCodeOf(output);
    steps.push({ kind: 'run', command: run.command, output, exitCode: exit, failed: runFailed(output, exit) });
    run = undefined;
  };
  for (const line of lines) {
    const user = /^#### (.*)$/.exec(line);
    const out = /^>(?: (.*))?$/.exec(line);
    if (user) {
      closeRun();
      const command = /^\/(?:run|test)\s+(.+)$/.exec(user[1]);
      if (command) run = { command: command[1].trim(), output: [] };
      else if (!task && !user[1].startsWith('/')) task = user[1].trim();
    } else if (out) {
      const text = out[1] ?? '';
      const running = /^Running (.+)$/.exec(text);
      const applied = /^Applied edit to (.+)$/.exec(text);
      if (running) {
        closeRun();
        run = { command: running[1].trim(), output: [] };
      } else if (applied) steps.push({ kind: 'write', path: applied[1].trim(), applied: true });
      else if (run) run.output.push(text);
    } else if (line.trim()) closeRun();
  }
  closeRun();
  return { task, steps };
}
