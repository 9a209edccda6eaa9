// L3, the state ledger: facts read from the conversation's structure, no model involved — the
// user's messages verbatim, files changed, commands and exit codes, the latest error (or that it
// was resolved), open plan items and identifiers — rendered as one compact Markdown block.
import type { Item, MessageItem, ToolCallItem } from '../conversation/model.ts';
import { messageText, toolOutputText } from '../conversation/model.ts';
import { countTextTokens } from './tokens.ts';
import { redactSecrets } from './secrets.ts';
import { ERROR_LINE } from './normalize.ts';

export type FileChange = 'created' | 'edited' | 'deleted';

export interface CommandRecord {
  command: string;
  exitCode: number | null;
}

export interface Ledger {
  userMessages: string[];
  files: { path: string; change: FileChange }[];
  commands: CommandRecord[];
  latestError: { command: string; line: string } | null;
  resolvedErrors: string[];
  openPlan: string[];
  identifiers: string[];
}

/** Codex and the relay inject these as user messages; they are not the user's words. */
const INJECTED_USER_PREFIXES = ['<environment_context>', '<user_instructions>', '<permissions instructions>', 'You are performing a CONTEXT CHECKPOINT COMPACTION', 'The earlier part of this session was compacted', '# AGENTS.md instructions'];

export function isRealUserMessage(item: Item): item is MessageItem {
  if (item.kind !== 'message' || item.role !== 'user' || item.observation) return false;
  const text = messageText(item.content).trimStart();
  return !INJECTED_USER_PREFIXES.some((p) => text.startsWith(p));
}

function parseArgs(call: ToolCallItem): Record<string, any> {
  try {
    const parsed = JSON.parse(call.arguments);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

function commandOf(call: ToolCallItem, args: Record<string, any>): string | undefined {
  const value = args.command ?? args.cmd ?? args.script;
  if (Array.isArray(value)) return value.map(String).join(' ');
  if (typeof value === 'string' && !/^(create|str_replace|insert|view|undo_edit)$/.test(value)) return value;
  if (call.toolKind === 'local_shell') return String(args.command ?? call.arguments);
  if (/^(bash|shell|exec|run|terminal|execute)/i.test(call.name) && !value) return call.arguments;
  return undefined;
}

const noError = (): Ledger['latestError'] => null;

/** Stands for a text-protocol action (a command in an assistant message) when reading file changes. */
const TEXT_ACTION: ToolCallItem = { kind: 'tool_call', callId: '', name: 'shell', arguments: '', toolKind: 'function' };

const PATCH_FILE = /^\*\*\* (Add|Update|Delete) File: (.+)$/gm;
const MOVE_TO = /^\*\*\* Move to: (.+)$/gm;

function fileChangesOf(call: ToolCallItem, args: Record<string, any>, command: string | undefined): { path: string; change: FileChange }[] {
  const out: { path: string; change: FileChange }[] = [];
  const patchText = call.toolKind === 'custom' ? call.arguments : typeof args.input === 'string' ? args.input : typeof args.patch === 'string' ? args.patch : command && command.includes('*** Begin Patch') ? command : '';
  if (patchText) {
    for (const m of patchText.matchAll(PATCH_FILE)) out.push({ path: m[2].trim(), change: m[1] === 'Add' ? 'created' : m[1] === 'Delete' ? 'deleted' : 'edited' });
    for (const m of patchText.matchAll(MOVE_TO)) out.push({ path: m[1].trim(), change: 'created' });
  }
  const path = args.path ?? args.file_path ?? args.filename ?? args.file;
  if (typeof path === 'string') {
    const sub = String(args.command ?? '');
    const name = call.name.toLowerCase();
    if (sub === 'create' || /^(write|create)/.test(name)) out.push({ path, change: 'created' });
    else if (['str_replace', 'insert', 'edit', 'undo_edit'].includes(sub) || /(edit|replace|patch|multiedit)/.test(name)) out.push({ path, change: 'edited' });
    else if (/(delete|remove)/.test(name)) out.push({ path, change: 'deleted' });
  }
  if (command) {
    for (const m of command.matchAll(/(?:^|[;&|]\s*)rm\s+(?:-[a-z]+\s+)*([^\s;&|]+)/g)) out.push({ path: m[1], change: 'deleted' });
    for (const m of command.matchAll(/(?:^|[;&|]\s*)touch\s+([^\s;&|]+)/g)) out.push({ path: m[1], change: 'created' });
    for (const m of command.matchAll(/^create\s+(\S+)$/gm)) out.push({ path: m[1], change: 'created' });
    for (const m of command.matchAll(/sed\s+-i(?:\s+\S+)*?\s+'[^']*'\s+([^\s;&|]+)/g)) out.push({ path: m[1], change: 'edited' });
    for (const m of command.matchAll(/(?:cat|echo|printf)[^>\n]*>{1,2}\s*([^\s;&|]+)/g)) if (!m[1].startsWith('/dev/')) out.push({ path: m[1], change: 'edited' });
  }
  return out;
}

/** The command of a text-protocol action: the last fenced code block of an assistant message. */
export function fencedCommandOf(text: string): string | undefined {
  const blocks = [...text.matchAll(/```[a-zA-Z_]*\n([\s\S]*?)```/g)];
  const last = blocks[blocks.length - 1]?.[1].trim();
  return last ? last : undefined;
}

const RETURN_CODE = /<returncode>\s*(-?\d+)\s*<\/returncode>/;
const EXIT_CODE = /(?:exit(?:ed)?(?: with)?(?: status| code)?|exit_code|returncode|return code)["']?\s*[:=]?\s*(-?\d+)/i;
const SUCCESS = /\b(\d+ passed|all tests passed|tests? (?:passed|ok)|^OK\b|build succeeded|0 failed)\b/im;

export function exitCodeOf(output: string): number | null {
  const tagged = RETURN_CODE.exec(output.slice(0, 200));
  if (tagged) return Number(tagged[1]);
  const match = EXIT_CODE.exec(output.slice(-2000)) ?? EXIT_CODE.exec(output.slice(0, 500));
  return match ? Number(match[1]) : null;
}

function firstErrorLine(output: string): string | undefined {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (ERROR_LINE.test(lines[i]) && lines[i].trim().length > 3) return lines[i].trim().slice(0, 300);
  return undefined;
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

function planFrom(call: ToolCallItem, args: Record<string, any>): string[] | undefined {
  if (!/plan|todo/i.test(call.name) || !Array.isArray(args.plan ?? args.todos ?? args.items)) return undefined;
  const steps = (args.plan ?? args.todos ?? args.items) as any[];
  return steps.filter((s) => !/^(completed|done)$/i.test(String(s?.status ?? ''))).map((s) => String(s?.step ?? s?.content ?? s?.title ?? s));
}

const CHECKBOX_OPEN = /^\s*[-*] \[ \] (.+)$/gm;

/**
 * `later` are the items kept verbatim after the ones summarized: an identifier reassigned there
 * (a superseded value) is listed with its newest value, so the ledger never contradicts the tail.
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
  const files = new Map<string, FileChange>();
  const commands: CommandRecord[] = [];
  const calls = new Map<string, { call: ToolCallItem; command?: string }>();
  // Assigned from inside recordOutput: typed through a call so the compiler does not narrow it to null.
  let latestError = noError();
  const resolvedErrors: string[] = [];
  let openPlan: string[] = [];
  const identifiers = new Map<string, string>();
  let pendingCommand: string | undefined;
  const setFile = (path: string, change: FileChange) => {
    const previous = files.get(path);
    files.set(path, previous === 'created' && change === 'edited' ? 'created' : change);
  };
  const recordOutput = (command: string | undefined, name: string, output: string, isError: boolean) => {
    const exitCode = exitCodeOf(output);
    const label = (command ?? name).slice(0, 200);
    if (command) commands.push({ command: command.slice(0, 200), exitCode });
    const errorLine = firstErrorLine(output);
    const failed = (exitCode !== null && exitCode !== 0) || (exitCode === null && isError) || (exitCode === null && !!errorLine && !SUCCESS.test(output));
    if (failed && errorLine) {
      latestError = { command: label, line: errorLine };
    } else if (latestError && (exitCode === 0 || SUCCESS.test(output)) && latestError.command === label) {
      resolvedErrors.push(latestError.line);
      latestError = null;
    }
  };
  for (const item of items) {
    if (item.kind === 'tool_call') {
      const args = parseArgs(item);
      const command = commandOf(item, args);
      calls.set(item.callId, { call: item, command });
      for (const { path, change } of fileChangesOf(item, args, command)) setFile(path, change);
      const plan = planFrom(item, args);
      if (plan) openPlan = plan;
      identifiersIn(item.arguments, identifiers);
    } else if (item.kind === 'tool_result') {
      const origin = calls.get(item.callId);
      recordOutput(origin?.command, origin?.call.name ?? 'tool', toolOutputText(item.output), item.isError === true);
    } else if (item.kind === 'message' && item.observation) {
      recordOutput(pendingCommand, 'environment', messageText(item.content), false);
      pendingCommand = undefined;
    } else if (item.kind === 'message') {
      const text = messageText(item.content);
      if (item.role === 'assistant') {
        pendingCommand = fencedCommandOf(text);
        if (pendingCommand) {
          for (const { path, change } of fileChangesOf(TEXT_ACTION, {}, pendingCommand)) setFile(path, change);
        }
      }
      if (item.role === 'user' || item.role === 'assistant') {
        identifiersIn(text, identifiers);
        const boxes = [...text.matchAll(CHECKBOX_OPEN)].map((m) => m[1].trim());
        if (boxes.length > 0) openPlan = boxes;
      }
    }
  }
  if (later.length > 0 && latestError) {
    // The error may have been fixed in the part kept verbatim: then it is no longer current.
    const laterCalls = new Map<string, string>();
    let laterCommand: string | undefined;
    for (const item of later) {
      if (item.kind === 'tool_call') laterCalls.set(item.callId, (commandOf(item, parseArgs(item)) ?? item.name).slice(0, 200));
      else if (item.kind === 'message' && item.role === 'assistant') laterCommand = fencedCommandOf(messageText(item.content))?.slice(0, 200);
      if (!latestError) break;
      const answers = (item.kind === 'tool_result' && laterCalls.get(item.callId) === latestError.command) || (item.kind === 'message' && item.observation === true && laterCommand === latestError.command);
      if (answers && (item.kind === 'tool_result' || item.kind === 'message')) {
        const output = item.kind === 'tool_result' ? toolOutputText(item.output) : messageText(item.content);
        if (exitCodeOf(output) === 0 || SUCCESS.test(output)) {
          resolvedErrors.push(latestError.line);
          latestError = null;
        }
      }
    }
  }
  if (later.length > 0) {
    const newer = new Map<string, string>();
    for (const item of later) {
      if (item.kind === 'tool_call') identifiersIn(item.arguments, newer);
      else if (item.kind === 'message' && (item.role === 'user' || item.role === 'assistant')) identifiersIn(messageText(item.content), newer);
    }
    for (const [key, value] of newer) if (identifiers.has(key)) identifiers.set(key, value);
  }
  // The structured ledger travels in reports too: no credential may appear in any of its fields.
  const r = redactSecrets;
  return {
    userMessages: keptUsers,
    files: [...files].map(([path, change]) => ({ path: r(path), change })),
    commands: commands.slice(-15).map((c) => ({ command: r(c.command), exitCode: c.exitCode })),
    latestError: latestError ? { command: r(latestError.command), line: r(latestError.line) } : null,
    resolvedErrors: resolvedErrors.slice(-5).map(r),
    openPlan: openPlan.map(r),
    identifiers: [...new Set([...identifiers.values()].map(r))].slice(-30),
  };
}

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
  if (ledger.commands.length) {
    out.push('### Recent commands (exit code)');
    for (const c of ledger.commands) out.push(`- \`${r(c.command).replace(/\n/g, ' ')}\` → ${c.exitCode ?? '?'}`);
  }
  out.push('### Current error');
  out.push(ledger.latestError ? `- ${r(ledger.latestError.line)} (from \`${r(ledger.latestError.command).replace(/\n/g, ' ')}\`)` : '- none outstanding');
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
