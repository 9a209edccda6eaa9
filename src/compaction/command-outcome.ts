// How a command ended, read from its output: the exit code from each agent's own marker (OpenHands,
// mini-swe-agent, Codex, JSON results), whether it failed (a non-zero exit, a Python traceback, a
// compiler error, a failing test run) and the line that says why, and the last lines it printed.
// Text that merely mentions an error (an `ls` row for `error.h`, source code raising `SyntaxError(`,
// a bare `ERROR:` header) is not a failure.
import { parseShell } from './shell-effects.ts';

export interface CommandOutcome {
  exitCode: number | null;
  failed: boolean;
  /** A clean run: exit 0, or no exit code reported and no failure seen. */
  succeeded: boolean;
  /** Why it failed, when it did. */
  errorLine?: string;
}

const RETURN_CODE = /<returncode>\s*(-?\d+)\s*<\/returncode>/; // mini-swe-agent
const OPENHANDS_EXIT = /\[(?:Command(?: [-\w]+)? finished with exit code|The command completed with exit code) (-?\d+)\.?\]/g;
const PROCESS_DONE = /\/\/\/PROCESS-DONE:(-?\d+):PROCESS-DONE\/\/\//; // SWE-agent's shell sentinel
const LABELLED_EXIT = /^(?:Exit code|exit code|Exit status|exit status|Process exited with code|Command exited with code):?\s*(-?\d+)\.?\s*$/m; // Codex and plain runners

function jsonExitCode(output: string): number | null {
  const trimmed = output.trimStart();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(trimmed);
    const code = parsed?.metadata?.exit_code ?? parsed?.exit_code ?? parsed?.exitCode ?? parsed?.returncode;
    return typeof code === 'number' && Number.isInteger(code) ? code : null;
  } catch {
    return null;
  }
}

/** The exit code an agent reported with the output, or null when it reported none. */
export function exitCodeOf(output: string): number | null {
  const tagged = RETURN_CODE.exec(output.slice(0, 300));
  if (tagged) return Number(tagged[1]);
  const tail = output.slice(-1500);
  let openHands: RegExpMatchArray | undefined;
  for (const m of tail.matchAll(OPENHANDS_EXIT)) openHands = m;
  if (openHands) return Number(openHands[1]);
  const done = PROCESS_DONE.exec(tail);
  if (done) return Number(done[1]);
  const json = jsonExitCode(output);
  if (json !== null) return json;
  const labelled = LABELLED_EXIT.exec(output.slice(0, 300)) ?? LABELLED_EXIT.exec(tail);
  return labelled ? Number(labelled[1]) : null;
}

/** Agent framing around an output (return-code tags, exit markers, editor state lines, prompts). */
const FRAMING: RegExp[] = [
  /<\/?(?:returncode|output|stdout|stderr)>/g,
  /^\s*-?\d+\s*(?=<\/returncode>)/g,
  /\[(?:Command(?: [-\w]+)? finished with exit code|The command completed with exit code) -?\d+\.?\]/g,
  /\/\/\/PROCESS-DONE:-?\d+:PROCESS-DONE\/\/\//g,
  /\[(?:Python Interpreter|Current working directory|Jupyter current working directory): [^\]\n]*\]/g,
  /^\((?:Open file|Current directory): [^\n]*\)[ \t]*$/gm,
  /^(?:exit code|exit status|wall time|total output lines|process exited with code|command exited with code)\b:?[^\n]*$/gim,
  /^Output:[ \t]*$/gm,
  /^bash-[\d.]*\$[ \t]*$/gm,
  /^(?:\([^)\n]{1,40}\)\s*)?[\w.-]+@[\w.-]+:[^\n]*[#$][ \t]*$/gm,
];

/** Codex's JSON results (`{"output": "…", "metadata": {…}}`) carry the printed text in `output`. */
function printedText(output: string): string {
  if (!output.trimStart().startsWith('{')) return output;
  try {
    const parsed = JSON.parse(output);
    return typeof parsed?.output === 'string' ? parsed.output : output;
  } catch {
    return output;
  }
}

export function stripFraming(output: string): string {
  let text = printedText(output);
  for (const pattern of FRAMING) text = text.replace(pattern, '');
  return text;
}

/** The final exception line of a Python traceback (only inside one: after `Traceback` or a `File "…", line N` frame). */
function tracebackError(lines: string[]): string | undefined {
  let inTrace = false;
  let found: string | undefined;
  for (const line of lines) {
    if (/^Traceback \(most recent call last\):\s*$/.test(line) || /^\s+File "[^"]+", line \d+/.test(line)) inTrace = true;
    else if (inTrace && /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Fault|Failure)\b(?::.*)?$/.test(line)) {
      found = line;
      inTrace = false;
    } else if (inTrace && line.trim() === '') inTrace = false;
  }
  if (found) return found;
  // Node and browsers: `TypeError: …` followed by its `    at …` stack.
  const thrown = lines.findIndex((line, k) => /^(?:Uncaught )?[A-Z]\w*(?:Error|Exception)\b(?::.*)?$/.test(line) && /^\s+at \S/.test(lines[k + 1] ?? ''));
  return thrown >= 0 ? lines[thrown] : undefined;
}

/** Compiler and linter diagnostics: `file:12:3: error: …`, `file(12,3): error TS…`, rustc's `error[E…]: …`. */
const COMPILER_ERROR = /^(?:[^\s:]+:\d+(?::\d+)?:? (?:-\s*)?(?:fatal )?error\b.*|[^\s(]+\(\d+,\d+\): error\b.*|error(?:\[E\d+\])?: .*\S.*|fatal: .*\S.*|npm ERR! .*\S.*|make(?:\[\d+\])?: \*\*\* .*)$/;
/** Test runners' verdicts: pytest, unittest, jest/vitest, mocha, go test, cargo test. */
const TEST_FAILURE = /^(?:FAILED \S.*|=+ .*\b\d+ (?:failed|errors?)\b.*=+|FAILED \((?:failures|errors)=\d+.*\)|Tests?:\s+\d+ failed.*|\s*\d+ failing\b.*|--- FAIL: .*|FAIL\s+\S.*|test result: FAILED.*)$/;
/** The shell itself refusing: `bash: foo: command not found`, `cat: x: No such file or directory`. */
const SHELL_ERROR = /^[\w./-]+: (?:.*: )?(?:command not found|No such file or directory|Permission denied|syntax error.*)$/;
/** Commands whose exit 1 only means "nothing matched" or "they differ". */
const QUIET_NONZERO = /^(?:grep|egrep|fgrep|rg|ag|diff|cmp|test|\[|find|git diff|pgrep|which)\b/;

/**
 * The simple command whose status the shell reports: the last one run (`cd x && git log | grep y`
 * ends with `grep y`), wrappers like `sudo` and `VAR=value` assignments left out.
 */
function statusCommand(command: string): string {
  const last = parseShell(command).at(-1);
  if (!last) return command.trim();
  let k = 0;
  while (k < last.words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(last.words[k]) || /^(?:sudo|time|nice|command|exec|timeout|\d+[smh]?)$/.test(last.words[k]))) k++;
  return last.words.slice(k).join(' ');
}

const TYPED_ERROR = /\b[A-Z]\w*(?:Error|Exception)\b:/;
/** Error words as words, not inside a file name (`error.h`, `lib.esnext.error.d.ts`). */
const ERROR_WORDS = /(?<![\w./-])(?:error|exception|failed|failure|fatal|cannot|denied|not found|no such file)(?![\w-]|\.\w)/i;
const firstMatch = (lines: string[], pattern: RegExp) => lines.find((l) => pattern.test(l));
const meaningful = (line: string) => line.trim().length > 3 && !/^\W*[\w .-]{0,30}:\s*$/.test(line);

/** How a command ended. `isError` is the tool's own failure flag (Anthropic `is_error`). */
export function outcomeOf(output: string, isError = false, command = ''): CommandOutcome {
  const exitCode = exitCodeOf(output);
  const lines = stripFraming(output).split('\n');
  const signature = tracebackError(lines) ?? firstMatch(lines, COMPILER_ERROR) ?? firstMatch(lines, TEST_FAILURE) ?? firstMatch(lines, SHELL_ERROR);
  let failed: boolean;
  if (exitCode !== null) failed = exitCode !== 0 && !(exitCode === 1 && !signature && QUIET_NONZERO.test(statusCommand(command)));
  else failed = isError || signature !== undefined;
  const succeeded = !failed && (exitCode === 0 || (exitCode === null && !isError));
  if (!failed) return { exitCode, failed, succeeded };
  // A failed command's most telling line: the last that names an error, else its last line.
  const reversed = [...lines].reverse();
  const fallback = reversed.find((l) => TYPED_ERROR.test(l)) ?? reversed.find((l) => meaningful(l) && ERROR_WORDS.test(l)) ?? reversed.find(meaningful);
  const errorLine = (signature ?? fallback ?? (exitCode !== null ? `exit code ${exitCode}` : 'failed without output')).trim().slice(0, 300);
  return { exitCode, failed, succeeded, errorLine };
}

/** The last lines a command printed (framing removed), for the ledger's "last command". */
export function outputTail(output: string, count = 5): string {
  const lines = stripFraming(output).split('\n').map((l) => l.trimEnd()).filter((l) => l.trim());
  // Long lines are cut, the last one least: it is usually the verdict (a warning, a summary line).
  return lines.slice(-count).map((l, k, kept) => {
    const cap = k === kept.length - 1 ? 400 : 200;
    return l.length > cap ? l.slice(0, cap) + '…' : l;
  }).join('\n');
}
