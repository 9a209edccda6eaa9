// L3, the state ledger: facts read from the conversation's structure, no model involved — the
// user's messages verbatim, files written (only with evidence of a write, from each tool's
// semantics) and files only read, commands with their exit codes, the last command with the end of
// its output, the current error (only from a failed command, cleared when the same command later
// succeeds), open plan items and identifiers — rendered as one compact Markdown block.
import type { Item, MessageItem } from '../conversation/model.ts';
import { messageText, toolOutputText } from '../conversation/model.ts';
import { textActionOf } from '../conversation/text-protocol.ts';
import { countTextTokens } from './tokens.ts';
import { redactSecrets } from './secrets.ts';
import { outcomeOf, outputTail } from './command-outcome.ts';
import { filesPatchedInOutput, type FileChange, type FileWrite } from './shell-effects.ts';
import { EDIT_REJECTED, meaningOf, type ActionMeaning, type WorkspaceView } from './tool-semantics.ts';

export { exitCodeOf } from './command-outcome.ts';
export type { FileChange } from './shell-effects.ts';

export interface CommandRecord {
  command: string;
  exitCode: number | null;
  /** Failed by its exit code, the tool's error flag, or a traceback, compiler or test failure in its output. */
  failed: boolean;
}

export interface Ledger {
  userMessages: string[];
  /** Files with evidence of a write, in the order first written. */
  files: { path: string; change: FileChange }[];
  /** Files only read (viewed, `Read`, `cat` …), never written. */
  filesRead: string[];
  commands: CommandRecord[];
  /** The newest command, with the last lines it printed. */
  lastCommand: (CommandRecord & { outputTail: string }) | null;
  latestError: { command: string; line: string } | null;
  resolvedErrors: string[];
  openPlan: string[];
  identifiers: string[];
}

/** Codex and the relay inject these as user messages; they are not the user's words. */
const INJECTED_USER_PREFIXES = ['<environment_context>', '<user_instructions>', '<permissions instructions>', 'You are performing a CONTEXT CHECKPOINT COMPACTION', 'The earlier part of this session was compacted', '# AGENTS.md instructions'];

/** The human's own words: not an environment's observation, a demonstration, or text a tool injects. */
export function isRealUserMessage(item: Item): item is MessageItem {
  if (item.kind !== 'message' || item.role !== 'user' || item.observation || item.demonstration) return false;
  const text = messageText(item.content).trimStart();
  return !INJECTED_USER_PREFIXES.some((p) => text.startsWith(p));
}

function parseArgs(raw: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The command of a text-protocol action in an assistant message (its shell line, or the tool and its arguments). */
export function fencedCommandOf(text: string): string | undefined {
  const action = textActionOf(text);
  if (!action) return undefined;
  return action.name === 'shell' ? action.args.command : `${action.name} ${JSON.stringify(action.args)}`;
}

/** The file a SWE-agent style editor window shows, from an observation's state line or window header. */
function openFileIn(output: string): string | undefined {
  const state = /^\(Open file: ([^\n)]+)\)\s*$/m.exec(output.slice(-600));
  if (state) return state[1].trim() === 'n/a' ? undefined : state[1].trim();
  return /^\[File: (\S+) \(\d+ lines total\)\]/m.exec(output.slice(0, 600))?.[1];
}

const IDENTIFIER_PATTERNS: RegExp[] = [
  /\bhttps?:\/\/[^\s"'<>)\]]+/g,
  /\b(?:branch|checkout -b|switch -c)\s+([A-Za-z0-9._/-]{2,})/g,
  /\bport\s+(\d{2,5})\b/gi,
  /\b(?:localhost|127\.0\.0\.1):(\d{2,5})\b/g,
  /\b[A-Z][A-Z0-9_]{2,}=[^\s"']+/g,
  /\b[0-9a-f]{40}\b|\b[0-9a-f]{12}\b/g,
];

function identifiersIn(text: string, into: Map<string, string>): void {
  for (const pattern of IDENTIFIER_PATTERNS) {
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) {
      const value = m[0];
      const assign = /^([A-Z][A-Z0-9_]{2,})=/.exec(value);
      const key = assign ? `env:${assign[1]}` : value;
      into.delete(key);
      into.set(key, value);
    }
  }
}

function planFrom(name: string, args: Record<string, any>): string[] | undefined {
  const steps = args.plan ?? args.todos ?? args.items;
  if (!/plan|todo/i.test(name) || !Array.isArray(steps)) return undefined;
  return steps.filter((s) => !/^(completed|done)$/i.test(String(s?.status ?? ''))).map((s) => String(s?.step ?? s?.content ?? s?.title ?? s));
}

const CHECKBOX_OPEN = /^\s*[-*] \[ \] (.+)$/gm;

/** Running state while the ledger reads a session from the start. */
class SessionReader {
  readonly files = new Map<string, FileChange>();
  readonly reads = new Set<string>();
  readonly commands: CommandRecord[] = [];
  lastCommand: Ledger['lastCommand'] = null;
  latestError: Ledger['latestError'] = null;
  readonly resolvedErrors: string[] = [];
  openPlan: string[] = [];
  readonly identifiers = new Map<string, string>();
  private readonly calls = new Map<string, ActionMeaning>();
  private pendingAction: ActionMeaning | undefined;
  private readonly view: WorkspaceView = {};
  private readonly factsToo: boolean;

  /** `factsToo` false: only clear errors fixed later and collect identifiers (the part kept verbatim). */
  constructor(factsToo = true) {
    this.factsToo = factsToo;
  }

  read(item: Item): void {
    if (item.kind === 'tool_call') {
      const args = parseArgs(item.arguments);
      const rawInput = item.toolKind === 'custom' || item.toolKind === 'local_shell' ? item.arguments : '';
      this.calls.set(item.callId, meaningOf(item.name, args, rawInput, this.view));
      const plan = planFrom(item.name, args);
      if (plan && this.factsToo) this.openPlan = plan;
      identifiersIn(item.arguments, this.identifiers);
    } else if (item.kind === 'tool_result') {
      this.outcome(this.calls.get(item.callId), toolOutputText(item.output), item.isError === true);
    } else if (item.kind === 'message' && item.observation) {
      const text = messageText(item.content);
      this.outcome(this.pendingAction, text, false);
      this.pendingAction = undefined;
      this.updateView(text);
    } else if (item.kind === 'message' && !item.demonstration && (item.role === 'user' || item.role === 'assistant')) {
      const text = messageText(item.content);
      if (item.role === 'assistant') {
        const action = textActionOf(text);
        this.pendingAction = action ? meaningOf(action.name, action.args, '', this.view) : undefined;
      }
      if (item.role === 'user') this.updateView(text);
      identifiersIn(text, this.identifiers);
      const boxes = [...text.matchAll(CHECKBOX_OPEN)].map((m) => m[1].trim());
      if (boxes.length > 0 && this.factsToo) this.openPlan = boxes;
    }
  }

  /** SWE-agent style state lines: the file open in the editor window and the working directory. */
  private updateView(text: string): void {
    if (/\(Open file: |\[File: /.test(text)) this.view.openFile = openFileIn(text);
    const cwd = /^\(Current directory: (\/[^\n)]*)\)\s*$/m.exec(text.slice(-600))?.[1];
    if (cwd) this.view.cwd = cwd.trim();
  }

  private setFile(write: FileWrite, output: string): void {
    const previous = this.files.get(write.path);
    let change: FileChange;
    if (write.change === 'written') {
      const reportsCreated = /\bcreated\b/i.test(output.slice(0, 300));
      change = previous === 'created' || (!previous && !this.reads.has(write.path)) || reportsCreated ? 'created' : 'edited';
    } else change = previous === 'created' && write.change === 'edited' ? 'created' : write.change;
    this.files.set(write.path, change);
  }

  private outcome(meaning: ActionMeaning | undefined, output: string, isError: boolean): void {
    if (!meaning) return;
    if (this.factsToo) {
      const rejected = meaning.isEditor && (isError || EDIT_REJECTED.test(output.slice(0, 600)));
      // Only an editor's own result saying "created" is evidence of a new file; a command's output is not.
      if (!rejected) for (const write of meaning.writes) this.setFile(write, meaning.isEditor ? output : '');
      if (meaning.patchTargetsInOutput) for (const write of filesPatchedInOutput(output)) this.setFile(write, '');
      for (const path of meaning.reads) this.reads.add(path);
    }
    if (!meaning.command) return;
    const command = meaning.command.trim().slice(0, 200);
    const result = outcomeOf(output, isError, meaning.command);
    if (this.factsToo) {
      const record = { command, exitCode: result.exitCode, failed: result.failed };
      this.commands.push(record);
      this.lastCommand = { ...record, outputTail: outputTail(output) };
      if (result.failed && result.errorLine) {
        this.latestError = { command, line: result.errorLine };
        return;
      }
    }
    if (this.latestError && result.succeeded && this.latestError.command === command) {
      this.resolvedErrors.push(this.latestError.line);
      this.latestError = null;
    }
  }
}

/**
 * `later` are the items kept verbatim after the ones summarized: an error fixed there is no longer
 * current, and an identifier reassigned there (a superseded value) is listed with its newest value,
 * so the ledger never contradicts the tail.
 */
export function extractLedger(items: Item[], userMessageBudgetTokens = 8000, later: Item[] = []): Ledger {
  const users = items.filter(isRealUserMessage).map((m) => messageText(m.content));
  const keptUsers: string[] = [];
  let used = 0;
  for (let i = users.length - 1; i >= 0; i--) {
    const cost = countTextTokens(users[i]);
    if (used + cost > userMessageBudgetTokens && keptUsers.length > 0) break;
    // Verbatim except for credentials: a key pasted by the user must not be repeated by the gateway.
    keptUsers.unshift(redactSecrets(used + cost > userMessageBudgetTokens ? users[i].slice(0, userMessageBudgetTokens * 3) : users[i]));
    used += cost;
  }
  const reader = new SessionReader();
  for (const item of items) reader.read(item);
  if (later.length > 0) {
    const tail = new SessionReader(false);
    tail.latestError = reader.latestError;
    for (const item of later) tail.read(item);
    if (tail.latestError !== reader.latestError) {
      reader.resolvedErrors.push(...tail.resolvedErrors);
      reader.latestError = tail.latestError;
    }
    for (const [key, value] of tail.identifiers) if (reader.identifiers.has(key)) reader.identifiers.set(key, value);
  }
  // The structured ledger travels in reports too: no credential may appear in any of its fields.
  const r = redactSecrets;
  // A file read by one name and written by another (`src/a.py`, `/repo/src/a.py`) was changed.
  const written = [...reader.files.keys()];
  const sameFile = (a: string, b: string) => a === b || a.endsWith('/' + b.replace(/^\.\//, '')) || b.endsWith('/' + a.replace(/^\.\//, ''));
  const last = reader.lastCommand;
  return {
    userMessages: keptUsers,
    files: [...reader.files].map(([path, change]) => ({ path: r(path), change })),
    filesRead: [...reader.reads].filter((p) => !written.some((w) => sameFile(w, p))).map(r),
    commands: reader.commands.slice(-15).map((c) => ({ ...c, command: r(c.command) })),
    lastCommand: last ? { ...last, command: r(last.command), outputTail: r(last.outputTail) } : null,
    latestError: reader.latestError ? { command: r(reader.latestError.command), line: r(reader.latestError.line) } : null,
    resolvedErrors: reader.resolvedErrors.slice(-5).map(r),
    openPlan: reader.openPlan.map(r),
    identifiers: [...new Set([...reader.identifiers.values()].map(r))].slice(-30),
  };
}

const oneLine = (text: string) => text.replace(/\n/g, ' ');
const outcomeText = (c: CommandRecord) => (c.exitCode !== null ? String(c.exitCode) : c.failed ? 'failed' : '?');

/** The ledger as Markdown. User messages are quoted verbatim (credentials redacted at extraction); everything else is redacted here. */
export function renderLedger(ledger: Ledger): string {
  const out: string[] = ['## Session ledger (extracted by the gateway)'];
  if (ledger.userMessages.length) {
    out.push('### User messages (verbatim, oldest first)');
    for (const m of ledger.userMessages) out.push(`> ${m.replace(/\n/g, '\n> ')}`);
  }
  const r = redactSecrets;
  if (ledger.files.length) {
    out.push('### Files changed');
    for (const f of ledger.files) out.push(`- ${f.change}: ${r(f.path)}`);
  }
  if (ledger.filesRead?.length) {
    out.push('### Files read (not changed)');
    out.push(ledger.filesRead.slice(-40).map((p) => `\`${r(p)}\``).join(', '));
  }
  if (ledger.commands.length) {
    out.push('### Recent commands (exit code)');
    for (const c of ledger.commands) out.push(`- \`${oneLine(r(c.command))}\` → ${outcomeText(c)}`);
  }
  const last = ledger.lastCommand;
  if (last) {
    out.push('### Last command');
    out.push(`\`${oneLine(r(last.command))}\` → ${outcomeText(last)}${last.outputTail ? ', ending with:' : ', no output'}`);
    if (last.outputTail) out.push('```\n' + r(last.outputTail).replace(/```/g, "'''") + '\n```');
  }
  out.push('### Current error');
  out.push(ledger.latestError ? `- ${r(ledger.latestError.line)} (from \`${oneLine(r(ledger.latestError.command))}\`)` : '- none outstanding');
  if (ledger.resolvedErrors.length) {
    out.push('### Resolved errors (no longer current)');
    for (const e of ledger.resolvedErrors) out.push(`- ${r(e)}`);
  }
  if (ledger.openPlan.length) {
    out.push('### Open plan items');
    for (const p of ledger.openPlan) out.push(`- [ ] ${r(p)}`);
  }
  if (ledger.identifiers.length) {
    out.push('### Identifiers (latest values)');
    out.push(ledger.identifiers.map((i) => `\`${r(i)}\``).join(', '));
  }
  return out.join('\n');
}
