// What a shell command or tool output says, read without the compaction engine: files a command
// writes (redirections, tee, sed -i, mv/cp targets, touch, rm, Python open(…, 'w'), the files
// `patch` reports patching), the exit code an agent's own marker reports, whether a run failed, and
// the line that names its error.

const PATHLIKE = /^[\w./~+-]*[./][\w./~+-]*$/;
const isPath = (s: string) => PATHLIKE.test(s) && !s.startsWith('/dev/') && !s.startsWith('&') && !/^\.+$/.test(s) && !/^\d+(\.\d+)*$/.test(s);
const unquote = (s: string) => s.replace(/^['"]|['"]$/g, '');

/** Files a shell command writes, created or changed or removed, in order of appearance. */
export function shellWrites(command: string): string[] {
  const out: string[] = [];
  const add = (raw: string | undefined) => {
    const path = unquote((raw ?? '').trim());
    if (path && isPath(path) && !out.includes(path)) out.push(path);
  };
  for (const m of command.matchAll(/(?:^|[^0-9&>=<-])>>?\s*([^\s;&|<>()]+)/g)) add(m[1]);
  for (const m of command.matchAll(/\btee\s+(?:-a\s+)?([^\s;&|<>()]+)/g)) add(m[1]);
  for (const m of command.matchAll(/\b(?:sed|perl)\s+(?:-\w+\s+)*-[a-z]*i[^\s]*\s+(?:(?:-e\s+)?(?:'[^']*'|"[^"]*"|\S+)\s+)+?([^\s;&|<>()]+)(?=\s*(?:$|[;&|\n]))/gm)) add(m[1]);
  for (const m of command.matchAll(/(?:^|[;&|\n]\s*)(?:mv|cp)\s+(?:-\w+\s+)*\S+\s+([^\s;&|<>()]+)/g)) add(m[1]);
  for (const m of command.matchAll(/(?:^|[;&|\n]\s*)(?:touch|rm)\s+(?:-\w+\s+)*([^\s;&|<>()]+)/g)) add(m[1]);
  for (const m of command.matchAll(/open\(\s*['"]([^'"]+)['"]\s*,\s*['"][wax]b?\+?['"]/g)) add(m[1]);
  return out;
}

/** Files a command writes, and for `patch` / `git apply` the files its output reports patching (`patching file x`). */
export function runWrites(command: string, output: string): string[] {
  const out = shellWrites(command);
  if (/(?:^|[;&|\n]\s*)(?:patch|git\s+apply)\b/.test(command)) {
    for (const m of output.matchAll(/^patching file '?([^'\s]+)'?\s*$/gm)) if (!out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

/** The exit code an agent's own marker reports in a tool output, or null. */
export function exitCodeOf(output: string): number | null {
  const patterns = [/\[Command finished with exit code (-?\d+)\]/, /\[The command completed with exit code (-?\d+)\.?\]/, /<returncode>\s*(-?\d+)\s*<\/returncode>/, /^- exit code: (-?\d+)/m, /^Exit code: (-?\d+)$/m];
  let code: number | null = null;
  for (const p of patterns) {
    const all = [...output.matchAll(new RegExp(p.source, p.flags.includes('g') ? p.flags : p.flags + 'g'))];
    if (all.length) code = Number(all[all.length - 1][1]);
  }
  return code;
}

/** Failure words that count only when the exit code is unknown. */
const FAILURE_TEXT = [/^Traceback \(most recent call last\)/m, /^\s*FAILED\b/m, /^\S*(Error|Exception): /m, /\b\d+ failed\b/, /^error(\[\w+\])?: /m, /^npm ERR!/m];

export function runFailed(output: string, exitCode: number | null, isError = false): boolean {
  if (isError) return true;
  if (exitCode !== null) return exitCode !== 0;
  return FAILURE_TEXT.some((p) => p.test(output));
}

const ERROR_LINE = /^((\w+\.)*\w*(Error|Exception)\b.*|E\s+\S.*|FAILED\b.*|error(\[\w+\])?:.*|.*\b(ERROR|Error|error):\s+\S.*|fatal:.*|npm ERR!.*)$/;
/** Lines that are wrappers, not content: agent markers, prompts, XML envelopes. */
const WRAPPER = /^(\[Command finished with exit code.*\]|\[The command completed with exit code.*\]|\[Python Interpreter: .*\]|<\/?(output|returncode)>.*|root@[^#]*#.*|\s*)$/;

/** Lines of an output without the agent's wrappers. */
export const contentLines = (output: string) => output.split('\n').map((l) => l.replace(/\r$/, '').replace(/\[Python Interpreter: [^\]]*\]/g, '').trim()).filter((l) => !WRAPPER.test(l));

/** The line that names a failed run's error: the last error-shaped line, else the last line. */
export function errorLineOf(output: string): string | undefined {
  const lines = contentLines(output).filter((l) => l.length >= 6);
  for (let i = lines.length - 1; i >= 0; i--) if (ERROR_LINE.test(lines[i])) return lines[i].slice(0, 300);
  return lines.at(-1)?.slice(0, 300);
}

/** Files a unified diff touches (the new side; the old side for deletions). */
export function patchFiles(patch: string): string[] {
  const out: string[] = [];
  const add = (p: string) => {
    if (p && p !== '/dev/null' && !out.includes(p)) out.push(p);
  };
  for (const m of patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)/gm)) add(m[2]);
  for (const m of patch.matchAll(/^\+\+\+ (?:b\/)?(\S+)/gm)) add(m[1]);
  for (const m of patch.matchAll(/^--- a\/(\S+)\n\+\+\+ \/dev\/null/gm)) add(m[1]);
  return out;
}
