// What a shell command line does to files, read without running it: the paths it writes (output
// redirections, tee, sed -i, touch, cp/mv, rm, patch and git apply with an inline diff, Codex's
// apply_patch, SWE-agent's editor commands) and the files it shows (cat, head, sed -n, open …).
// Quoted text, heredoc bodies and substitutions are never read as paths: code inside them (`a > b`,
// `let x`) cannot produce a file.
export type FileChange = 'created' | 'edited' | 'deleted';

/** A write; `written` is a whole-file write whose kind (new file or rewrite) depends on what came before. */
export interface FileWrite {
  path: string;
  change: FileChange | 'written';
}

export interface ShellEffects {
  writes: FileWrite[];
  reads: string[];
  /** The command applies a patch whose targets only its output names (`patch < x.diff`, `git apply x.diff`). */
  patchTargetsInOutput: boolean;
  /** The command shows the work tree's changes (`git diff`, `git status` to the screen): its output names changed files. */
  worktreeChangesInOutput: boolean;
  /** The directory the command ends in, for paths its output names. */
  finalCwd?: string;
  /** Only an agent's editor commands (SWE-agent `create`, `edit`, `open` …): file actions, not commands run. */
  editorOnly: boolean;
}

interface SimpleCommand {
  words: string[];
  redirects: { op: string; target: string }[];
  heredocs: string[];
}

const KNOWN_BARE_FILES = /^(?:Makefile|makefile|GNUmakefile|Dockerfile|Containerfile|Jenkinsfile|Vagrantfile|Gemfile|Rakefile|Procfile|Justfile|LICENSE|LICENCE|README|CHANGELOG|CHANGES|AUTHORS|NOTICE|COPYING|CODEOWNERS|BUILD|WORKSPACE|Pipfile)$/;

/** A word that names a file: no spaces, globs, variables or operators; a slash, an extension or a known name. */
export function looksLikePath(word: string): boolean {
  if (!word || word.length > 300 || /[\s$`*?[\]{}<>|;&()'"=,\\]/.test(word) || word.startsWith('-') || word.includes('://')) return false;
  if (/^\.+$/.test(word) || word.startsWith('/dev/') || word.startsWith('/proc/')) return false;
  const base = word.slice(word.lastIndexOf('/') + 1);
  if (!base) return false;
  return word.includes('/') || /^\.?[\w-][\w.-]*\.[A-Za-z0-9_]{1,12}$/.test(base) || /^\.[\w-][\w.-]*$/.test(base) || KNOWN_BARE_FILES.test(base);
}

/** Splits a command line into simple commands: words, redirections and heredoc bodies, quotes removed. */
export function parseShell(line: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirects: [], heredocs: [] };
  let word = '';
  let inWord = false;
  let pendingRedirect: string | null = null;
  const pendingHeredocs: { delimiter: string; strip: boolean; into: SimpleCommand }[] = [];
  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect !== null) {
      if (pendingRedirect.startsWith('<<') && pendingRedirect !== '<<<') pendingHeredocs.push({ delimiter: word, strip: pendingRedirect === '<<-', into: current });
      else current.redirects.push({ op: pendingRedirect, target: word });
      pendingRedirect = null;
    } else current.words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (current.words.length || current.redirects.length || current.heredocs.length) commands.push(current);
    current = { words: [], redirects: [], heredocs: [] };
  };
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === '\\' && i + 1 < n) {
      if (line[i + 1] !== '\n') {
        word += line[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end < 0 ? n : end);
      inWord = true;
      i = end < 0 ? n : end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      word += line.slice(i + 1, Math.min(j, n));
      inWord = true;
      i = j + 1;
    } else if ((c === '$' && line[i + 1] === '(') || c === '`') {
      // A substitution: kept as an opaque `$` in the word, never parsed for paths.
      let depth = 0;
      let j: number;
      if (c === '`') j = line.indexOf('`', i + 1);
      else {
        for (j = i + 1; j < n; j++) {
          if (line[j] === '(') depth++;
          else if (line[j] === ')' && --depth === 0) break;
        }
      }
      word += '$';
      inWord = true;
      i = j < 0 ? n : j + 1;
    } else if (c === '\n') {
      endCommand();
      i++;
      // Heredoc bodies start after the line that opened them.
      while (pendingHeredocs.length > 0 && i < n) {
        const { delimiter, strip, into } = pendingHeredocs.shift()!;
        const body: string[] = [];
        while (i < n) {
          const next = line.indexOf('\n', i);
          const text = line.slice(i, next < 0 ? n : next);
          i = next < 0 ? n : next + 1;
          if ((strip ? text.replace(/^\t+/, '') : text) === delimiter) break;
          body.push(text);
        }
        into.heredocs.push(body.join('\n'));
      }
    } else if (c === '#' && !inWord) {
      const next = line.indexOf('\n', i);
      i = next < 0 ? n : next;
    } else if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      if (c === '&' && line[i + 1] === '>') {
        endWord();
        pendingRedirect = line[i + 2] === '>' ? '&>>' : '&>';
        i += pendingRedirect.length;
      } else {
        endCommand();
        i += (c === '|' || c === '&') && line[i + 1] === c ? 2 : 1;
      }
    } else if (c === '>' || c === '<') {
      const fd = inWord && /^\d$/.test(word) ? word : '';
      if (fd) {
        word = '';
        inWord = false;
      } else endWord();
      const op = /^(?:>>|>\||>&|<<<|<<-|<<|<&|<>|>|<)/.exec(line.slice(i))![0];
      i += op.length;
      if (op === '>&' || op === '<&') {
        // fd duplication (`2>&1`): not a file
        while (i < n && /[\d-]/.test(line[i])) i++;
        continue;
      }
      pendingRedirect = fd + op;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand();
  return commands;
}

const WRAPPERS = new Set(['sudo', 'time', 'nohup', 'env', 'command', 'exec', 'xargs', 'nice', 'timeout', 'stdbuf']);
const VIEWERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'nl', 'bat', 'view']);

/** The command's own name and arguments, after `VAR=value` assignments and wrappers like `sudo`. */
function commandWords(words: string[]): string[] {
  let k = 0;
  while (k < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k]) || WRAPPERS.has(words[k]))) {
    if (words[k] === 'timeout' && /^\d/.test(words[k + 1] ?? '')) k++;
    k++;
  }
  return words.slice(k);
}

const operands = (args: string[]) => args.filter((a) => !a.startsWith('-'));

/** Files named by a unified diff (`+++ b/path`, `*** Add File: path`). */
export function filesOfPatch(text: string): FileWrite[] {
  const out: FileWrite[] = [];
  for (const m of text.matchAll(/^\*\*\* (Add|Update|Delete) File: (.+)$/gm)) out.push({ path: m[2].trim(), change: m[1] === 'Add' ? 'created' : m[1] === 'Delete' ? 'deleted' : 'edited' });
  for (const m of text.matchAll(/^\*\*\* Move to: (.+)$/gm)) out.push({ path: m[1].trim(), change: 'created' });
  const diffs = [...text.matchAll(/^--- (\S+).*\n\+\+\+ (\S+)/gm)];
  for (const m of diffs) {
    const strip = (p: string) => p.replace(/^[ab]\//, '');
    if (m[2] === '/dev/null') out.push({ path: strip(m[1]), change: 'deleted' });
    else out.push({ path: strip(m[2]), change: m[1] === '/dev/null' ? 'created' : 'edited' });
  }
  return out.filter((w) => looksLikePath(w.path));
}

/** Files `git diff` or `git status` shows as changed in the work tree (untracked files are not counted). */
export function filesChangedInGitOutput(output: string): FileWrite[] {
  const out: FileWrite[] = [];
  for (const m of output.matchAll(/^diff --git a\/(\S+) b\/(\S+)\r?\n(new file mode|deleted file mode)?/gm)) out.push({ path: m[2], change: m[3]?.startsWith('new') ? 'created' : m[3] ? 'deleted' : 'edited' });
  for (const m of output.matchAll(/^\t(modified|new file|deleted):\s+(\S+)\r?$/gm)) out.push({ path: m[2], change: m[1] === 'modified' ? 'edited' : m[1] === 'new file' ? 'created' : 'deleted' });
  // `git status --short`, only when the output is not a diff (whose context lines start with spaces too).
  if (out.length === 0) for (const m of output.matchAll(/^([ MADR][MD ]|[MADR] ) (\S+)\r?$/gm)) out.push({ path: m[2], change: m[1].includes('D') ? 'deleted' : m[1].includes('A') ? 'created' : 'edited' });
  const seen = new Set<string>();
  return out.filter((w) => looksLikePath(w.path) && !seen.has(w.path) && seen.add(w.path));
}

/** The files a `patch` or `git apply` run reports having written. */
export function filesPatchedInOutput(output: string): FileWrite[] {
  const out: FileWrite[] = [];
  for (const m of output.matchAll(/^(?:patching file|Applied patch(?: to)?) '?([^'\s]+)'?(?: cleanly\.?)?$/gm)) if (looksLikePath(m[1])) out.push({ path: m[1], change: 'edited' });
  return out;
}

function sedFiles(args: string[]): { inPlace: boolean; files: string[] } {
  let inPlace = false;
  let script: string | undefined;
  const files: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === '-e' || a === '-f' || a === '--expression' || a === '--file') script = args[++k];
    else if (a.startsWith('-i') || a.startsWith('--in-place')) inPlace = true;
    else if (/^-[a-zA-Z]+$/.test(a)) {
      if (a.includes('i')) inPlace = true;
    } else if (script === undefined) script = a;
    else files.push(a);
  }
  return { inPlace, files };
}

/** SWE-agent's editor commands, which act on the file named or on the file open in its window. */
function agentEditorEffects(words: string[], openFile: string | undefined, into: ShellEffects): boolean {
  const [name, ...args] = words;
  if (name === 'create' && args.length >= 1) into.writes.push({ path: args[0], change: 'created' });
  else if ((name === 'edit' || name === 'insert' || name === 'append') && openFile && (args.length === 0 || /^\d/.test(args[0]))) into.writes.push({ path: openFile, change: 'edited' });
  else if (name === 'str_replace_editor' && args.length >= 2) {
    const [sub, path] = args;
    if (sub === 'create') into.writes.push({ path, change: 'created' });
    else if (sub === 'str_replace' || sub === 'insert' || sub === 'undo_edit') into.writes.push({ path, change: 'edited' });
    else if (sub === 'view') into.reads.push(path);
  } else if (name === 'open' && args.length >= 1 && args.length <= 2) into.reads.push(args[0]);
  else if ((name === 'goto' || name === 'scroll_up' || name === 'scroll_down') && openFile) into.reads.push(openFile);
  else return false;
  return true;
}

/** Effects of one command line. `openFile` is the file an agent's editor window shows, if any. */
export function shellEffects(line: string, openFile?: string, workingDirectory?: string): ShellEffects {
  const effects: ShellEffects = { writes: [], reads: [], patchTargetsInOutput: false, worktreeChangesInOutput: false, editorOnly: true };
  // The replacement text of SWE-agent's `edit` runs up to `end_of_edit`: content, not commands.
  const commandsOnly = line.replace(/^((?:edit|insert|append)\b[^\n]*)\n[\s\S]*?^end_of_(?:edit|insert|append)[ \t]*$/gm, '$1');
  let cwd = workingDirectory;
  let editorCommands = 0;
  for (const command of parseShell(commandsOnly)) {
    const [writesBefore, readsBefore] = [effects.writes.length, effects.reads.length];
    if (applyCommand(command, openFile, effects) === 'editor') editorCommands++;
    // Only words that name files are kept, then resolved against the directory the command runs in.
    const writes = effects.writes.splice(writesBefore).filter((w) => looksLikePath(w.path));
    const reads = effects.reads.splice(readsBefore).filter(looksLikePath);
    effects.writes.push(...writes.map((w) => ({ ...w, path: resolvePath(cwd, w.path) })));
    effects.reads.push(...reads.map((p) => resolvePath(cwd, p)));
    const [name, target] = commandWords(command.words);
    if (name === 'cd' && target && !target.includes('$')) cwd = target.startsWith('/') ? target : cwd ? resolvePath(cwd, target) : undefined;
  }
  effects.editorOnly &&= editorCommands > 0;
  effects.finalCwd = cwd;
  return effects;
}

/** `path` as seen from `cwd` (absolute paths and unknown directories unchanged; `.` and `..` folded). */
export function resolvePath(cwd: string | undefined, path: string): string {
  if (!cwd || !cwd.startsWith('/') || path.startsWith('/') || path.startsWith('~')) return path;
  const parts: string[] = [];
  for (const part of `${cwd}/${path}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** Adds one simple command's effects; says whether it was an agent's editor command. */
function applyCommand(command: SimpleCommand, openFile: string | undefined, effects: ShellEffects): 'editor' | 'other' {
  for (const r of command.redirects) {
    // `>` and `>>` alike create the file when it is new: which it is depends on what came before.
    if (/^(?:1?>>?|>\||&>>?)$/.test(r.op)) effects.writes.push({ path: r.target, change: 'written' });
  }
  const words = commandWords(command.words);
  const [name, ...args] = words;
  if (!name) return 'other';
  if (agentEditorEffects(words, openFile, effects)) return 'editor';
  effects.editorOnly = false;
  if (name === 'tee') for (const f of operands(args)) effects.writes.push({ path: f, change: 'written' });
  else if (name === 'sed' || name === 'perl') {
    const { inPlace, files } = name === 'sed' ? sedFiles(args) : { inPlace: args.some((a) => /^-\w*i/.test(a)), files: operands(args).slice(1) };
    for (const f of files) {
      if (inPlace) effects.writes.push({ path: f, change: 'edited' });
      else if (name === 'sed') effects.reads.push(f);
    }
  } else if (name === 'touch') for (const f of operands(args)) effects.writes.push({ path: f, change: 'written' });
  else if (name === 'rm' || name === 'unlink') for (const f of operands(args)) effects.writes.push({ path: f, change: 'deleted' });
  else if ((name === 'cp' || name === 'mv') && operands(args).length === 2) {
    const [from, to] = operands(args);
    if (name === 'mv') effects.writes.push({ path: from, change: 'deleted' });
    effects.writes.push({ path: to, change: 'written' });
  } else if (name === 'apply_patch' || (name === 'patch' && command.heredocs.length) || (name === 'git' && args[0] === 'apply' && command.heredocs.length)) {
    for (const body of command.heredocs) effects.writes.push(...filesOfPatch(body));
    if (name === 'apply_patch') for (const a of args) effects.writes.push(...filesOfPatch(a));
  } else if (name === 'patch' || (name === 'git' && (args[0] === 'apply' || args[0] === 'am'))) effects.patchTargetsInOutput = true;
  else if (((name === 'git' && (args[0] === 'diff' || args[0] === 'status')) || (name === 'submit' && args.length === 0)) && !command.redirects.some((r) => /^(?:1?>>?|&>>?)$/.test(r.op))) effects.worktreeChangesInOutput = true;
  else if (VIEWERS.has(name)) for (const f of operands(args)) effects.reads.push(f);
  return 'other';
}
