// What one agent action means for the session's state, from each tool's own semantics: the command
// it runs, the files it writes (OpenHands and Anthropic `str_replace_editor` create/str_replace/
// insert/undo_edit, SWE-agent `edit`/`create`, Codex `apply_patch`, Claude Code `Edit`/`Write`/
// `MultiEdit`, Cline and Roo Code `write_to_file`/`replace_in_file`/`apply_diff`, and shell writes) and
// the files it only reads (`view`, `Read`, `cat` …).
import { filesOfPatch, looksLikePath, resolvePath, shellEffects, type FileWrite } from './shell-effects.ts';

/** What the agent's environment last showed: the file open in its editor window and its working directory. */
export interface WorkspaceView {
  openFile?: string;
  cwd?: string;
}

export interface ActionMeaning {
  /** The command line or code it runs, when it runs one. */
  command?: string;
  writes: FileWrite[];
  reads: string[];
  /** A file editor: when its result reports a failure, nothing was written. */
  isEditor: boolean;
  /** A patch whose targets only its output names. */
  patchTargetsInOutput: boolean;
  /** Its output lists the work tree's changed files (`git diff`, `git status`). */
  worktreeChangesInOutput?: boolean;
  /** The directory its output's relative paths are relative to. */
  outputCwd?: string;
}

const EDITOR_TOOLS = /^(?:str_replace_editor|str_replace_based_edit_tool|file_editor|text_editor(?:_\d+)?|edit_tool|editor)$/i;
const EDITOR_WRITES: Record<string, FileWrite['change']> = { create: 'created', str_replace: 'edited', insert: 'edited', undo_edit: 'edited', append: 'edited', write: 'written' };
const SHELL_TOOLS = /^(?:bash|shell|sh|zsh|terminal|run|exec|execute|execute_bash|execute_command|run_command|run_shell_command|run_terminal_cmd|cmd|command|local_shell|container\.exec|exec_command)$/i;
const CODE_TOOLS = /^(?:execute_ipython_cell|ipython|python|run_python|code_interpreter)$/i;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/** A path given as a tool argument: trusted as a path, but never a multi-line or empty string. */
const pathArg = (args: Record<string, unknown>): string | undefined => {
  const value = str(args.path) ?? str(args.file_path) ?? str(args.filename) ?? str(args.notebook_path) ?? str(args.file) ?? str(args.target_file);
  return value && !/[\n\r]/.test(value) && value.length <= 300 ? value.trim() : undefined;
};

/** A command given as `["bash", "-lc", "…"]` (Codex) is the script it runs. */
function commandText(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    const parts = value.map(String);
    if (parts.length >= 3 && /(?:^|\/)(?:ba|z)?sh$/.test(parts[0]) && /^-\w*c$/.test(parts[1])) return parts.slice(2).join(' ');
    return parts.join(' ');
  }
  return str(value);
}

/** OpenHands' IPython agent skills: `create_file('p')`, `edit_file_by_replace('p', …)`, `open_file('p')`. */
function agentSkillEffects(code: string): Pick<ActionMeaning, 'writes' | 'reads' | 'isEditor'> {
  const writes: FileWrite[] = [];
  const reads: string[] = [];
  for (const m of code.matchAll(/\b(create_file|edit_file_by_replace|append_file|insert_content_at_line|edit_file)\(\s*(?:file_name\s*=\s*)?(['"])([^'"\n]+)\2/g)) writes.push({ path: m[3], change: m[1] === 'create_file' ? 'created' : 'edited' });
  for (const m of code.matchAll(/\bopen_file\(\s*(?:path\s*=\s*)?(['"])([^'"\n]+)\1/g)) reads.push(m[2]);
  return { writes: writes.filter((w) => looksLikePath(w.path)), reads: reads.filter(looksLikePath), isEditor: writes.length > 0 };
}

/** OpenHands' editor and navigation skills: a cell made only of calls to them acts on files, it runs no command. */
const FILE_SKILLS = /^(?:open_file|goto_line|scroll_down|scroll_up|create_file|edit_file_by_replace|edit_file|append_file|insert_content_at_line|search_dir|search_file|find_file)$/;

/** The top-level statements of a Python cell (strings and brackets followed, so a multi-line call is one statement). */
function pythonStatements(code: string): string[] {
  const out: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'") {
      const quote = code.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      const end = code.indexOf(quote, i + quote.length);
      i = end < 0 ? code.length : end + quote.length - 1;
    } else if (c === '#') i = code.indexOf('\n', i) < 0 ? code.length : code.indexOf('\n', i) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if ((c === '\n' || c === ';') && depth <= 0) {
      out.push(code.slice(start, i));
      start = i + 1;
    }
  }
  out.push(code.slice(start));
  return out.map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
}

const onlyFileSkills = (code: string) => {
  const statements = pythonStatements(code);
  return statements.length > 0 && statements.every((s) => FILE_SKILLS.test(/^(?:print\()?(\w+)\(/.exec(s)?.[1] ?? ''));
};

const none = (): ActionMeaning => ({ writes: [], reads: [], isEditor: false, patchTargetsInOutput: false });

function shellMeaning(command: string, view: WorkspaceView): ActionMeaning {
  const effects = shellEffects(command, view.openFile, view.cwd);
  // SWE-agent's editor commands (`create`, `edit`, `open` …) act on files; they are not commands run.
  if (effects.editorOnly) return { writes: effects.writes, reads: effects.reads, isEditor: true, patchTargetsInOutput: false };
  return { command, writes: effects.writes, reads: effects.reads, isEditor: false, patchTargetsInOutput: effects.patchTargetsInOutput, worktreeChangesInOutput: effects.worktreeChangesInOutput, outputCwd: effects.finalCwd };
}

/**
 * The meaning of a call to tool `name` with parsed `args` (`rawInput`: a custom tool's free-form
 * input). `view` is what the environment last showed: the file in a SWE-agent editor window (for its
 * path-less commands) and the working directory (relative paths are resolved against it).
 */
export function meaningOf(name: string, args: Record<string, unknown>, rawInput = '', view: WorkspaceView = {}): ActionMeaning {
  const lower = name.toLowerCase();
  const given = pathArg(args);
  const path = given && resolvePath(view.cwd, given);
  const openFile = view.openFile;
  const sub = str(args.command);
  if (lower === 'apply_patch') {
    const patch = str(args.input) ?? str(args.patch) ?? rawInput;
    return { ...none(), writes: filesOfPatch(patch), isEditor: true };
  }
  const writesBy = (subcommand: string | undefined) => (subcommand && Object.hasOwn(EDITOR_WRITES, subcommand) ? EDITOR_WRITES[subcommand] : undefined);
  if (EDITOR_TOOLS.test(name) || (path && (writesBy(sub) || sub === 'view'))) {
    const meaning: ActionMeaning = { ...none(), isEditor: true };
    const change = writesBy(sub);
    if (path && change) meaning.writes.push({ path, change });
    else if (path && (sub === 'view' || !sub)) meaning.reads.push(path);
    return meaning;
  }
  // Claude Code, Cline, Roo Code and tools like them.
  if (/^(?:edit|multiedit|multi_edit|notebookedit|edit_file|replace_in_file|search_replace|apply_diff|insert_content|search_and_replace)$/.test(lower)) return { ...none(), writes: path ? [{ path, change: 'edited' }] : openFile && lower === 'edit' ? [{ path: openFile, change: 'edited' }] : [], isEditor: true };
  if (/^(?:write|write_file|write_to_file|create_file|create)$/.test(lower)) return { ...none(), writes: path ? [{ path, change: lower === 'create' || lower === 'create_file' ? 'created' : 'written' }] : [], isEditor: true };
  if (/^(?:insert|append)$/.test(lower) && openFile) return { ...none(), writes: [{ path: openFile, change: 'edited' }], isEditor: true };
  if (/^(?:read|read_file|view|view_file|open|open_file|cat|notebookread)$/.test(lower)) return { ...none(), reads: path ? [path] : [] };
  if (/^(?:goto|scroll_up|scroll_down)$/.test(lower)) return { ...none(), reads: openFile ? [openFile] : [] };
  if (/^(?:delete_file|remove_file|delete|rm)$/.test(lower)) return { ...none(), writes: path ? [{ path, change: 'deleted' }] : [], isEditor: true };
  // SWE-agent's `submit` answers with the work tree's diff.
  if (lower === 'submit') return { ...none(), worktreeChangesInOutput: true, outputCwd: view.cwd };
  if (CODE_TOOLS.test(name)) {
    const code = str(args.code) ?? str(args.source) ?? rawInput;
    return { ...none(), ...agentSkillEffects(code), command: code && !onlyFileSkills(code) ? code : undefined };
  }
  const command = commandText(args.command) ?? commandText(args.cmd) ?? str(args.script);
  if (command && (SHELL_TOOLS.test(name) || !path)) return shellMeaning(command, view);
  if (SHELL_TOOLS.test(name) && rawInput && !rawInput.trimStart().startsWith('{')) return shellMeaning(rawInput, view);
  // An unknown tool: its name must say it writes or reads, and its path argument must look like one.
  if (path && looksLikePath(path)) {
    if (/(?:write|edit|create|patch|replace|insert|modify|update|save)/.test(lower) && !/(?:read|view|get|list|search|find|show)/.test(lower)) return { ...none(), writes: [{ path, change: 'written' }], isEditor: true };
    if (/(?:read|view|show|open|cat)/.test(lower)) return { ...none(), reads: [path] };
  }
  return none();
}

/** Results that say an editor did not write: OpenHands' `ERROR:`, "No replacement was performed", SWE-agent's rejected edit. */
export const EDIT_REJECTED = /^\s*(?:ERROR:|Error:|<error>|\[Error)|No replacement was performed|did not appear verbatim|Your proposed edit has introduced new syntax error|Your edit was not applied|Cannot overwrite files using command|File already exists at|does not exist\. Please provide a valid path|String to replace not found|old_string not found|has not been read yet/i;

const SEARCH_REPLACE = /^([^\n]*)\n(?:```[^\n]*\n)?<<<<<<< SEARCH\r?\n([\s\S]*?)^=======\r?$/gm;

/** aider's SEARCH/REPLACE edits: the file named on the line before each block; an empty SEARCH creates it. */
export function searchReplaceEdits(text: string): FileWrite[] {
  if (!text.includes('<<<<<<< SEARCH')) return [];
  const out: FileWrite[] = [];
  for (const m of text.matchAll(SEARCH_REPLACE)) {
    const path = m[1].trim().replace(/^[#*`\s]+|[*`:\s]+$/g, '');
    if (looksLikePath(path)) out.push({ path, change: m[2].trim() === '' ? 'created' : 'edited' });
  }
  return out;
}

/** The files whose SEARCH block aider reports it could not match: those edits were not applied. */
export function unmatchedSearchFiles(reply: string): Set<string> {
  return new Set([...reply.matchAll(/failed to exactly match lines in (\S+)/g)].map((m) => m[1]));
}
