// L2, observation masking: old tool results (before the protected tail) are replaced by short,
// informative stubs; tool calls, user messages and the first task are never touched.
import type { Item, MessageItem, ToolCallItem, ToolResultItem } from '../conversation/model.ts';
import { messageText, toolOutputText } from '../conversation/model.ts';
import { exitCodeOf, fencedCommandOf } from './ledger.ts';
import { ERROR_LINE } from './normalize.ts';
import { hashText } from './tokens.ts';
import { redactSecrets } from './secrets.ts';

export const STUB_PREFIX = '[gateway: output hidden to save context';

/** What produced an output: the tool call, or for text-protocol agents the command the assistant wrote. */
type Origin = ToolCallItem | undefined;

const readPath = (command: string) => /^(?:cat|head|tail|less|nl|open|sed -n \S+)\s+(\S+)/.exec(command)?.[1];

function pathArgument(call: Origin): string | undefined {
  if (!call) return undefined;
  if (call.callId === '') return readPath(call.arguments);
  try {
    const args = JSON.parse(call.arguments);
    const path = args?.path ?? args?.file_path ?? args?.filename;
    if (typeof path === 'string') return path;
    const command = typeof args?.command === 'string' ? args.command : Array.isArray(args?.command) ? args.command.join(' ') : '';
    return readPath(command);
  } catch {
    return undefined;
  }
}

function stubFor(text: string, call: Origin, newerRead: boolean): string {
  const lines = text.split('\n').length;
  const exit = exitCodeOf(text);
  const errors = text.split('\n').filter((l) => ERROR_LINE.test(l) && l.trim().length > 3);
  // A traceback or a test run states its outcome last: the last error line is kept beside the first.
  const first = errors[0];
  const last = errors.at(-1);
  const digest = call ? `${call.name} ${redactSecrets(call.arguments).replace(/\s+/g, ' ').slice(0, 80)}` : 'tool';
  const parts = [`${STUB_PREFIX}: ${digest}`, `${lines} lines`, `#${hashText(text).slice(0, 8)}`];
  if (exit !== null) parts.push(`exit ${exit}`);
  if (first) parts.push(`first error: ${redactSecrets(first.trim()).slice(0, 160)}`);
  if (last && last !== first) parts.push(`last error: ${redactSecrets(last.trim()).slice(0, 160)}`);
  if (newerRead) parts.push('a newer read of this file appears later');
  return `${parts.join('; ')}. Re-run the tool to see it again.]`;
}

const isObservation = (item: Item): item is MessageItem => item.kind === 'message' && item.observation === true && item.content.every((p) => p.type === 'text');

/** The text of a tool result or text-protocol observation. */
export function outputTextOf(item: Item): string {
  return item.kind === 'tool_result' ? toolOutputText(item.output) : item.kind === 'message' ? messageText(item.content) : '';
}

/** The same tool result or message carrying `text` instead of its output or content (a new object, without `raw`). */
export function withOutputText(item: Item, text: string): Item {
  if (item.kind === 'message') {
    const message: MessageItem = { kind: 'message', role: item.role, content: [{ type: 'text', text }], ...(item.observation ? { observation: true } : {}), ...(item.id ? { id: item.id } : {}) };
    return message;
  }
  const result = item as ToolResultItem;
  const replaced: ToolResultItem = { kind: 'tool_result', callId: result.callId, toolKind: result.toolKind, output: text, ...(result.id ? { id: result.id } : {}) };
  return replaced;
}

/**
 * The stub for every tool result (and text-protocol observation) before index `until` (exclusive)
 * that is worth masking, by index. One pass: a stub depends only on its output, its call and
 * whether the same file is read again later in `items`.
 */
export function observationStubs(items: Item[], until: number): Map<number, string> {
  const calls = new Map<string, ToolCallItem>();
  for (const item of items) if (item.kind === 'tool_call') calls.set(item.callId, item);
  // Text-protocol observations answer the command in the assistant message before them.
  const origins = new Map<number, Origin>();
  let lastCommand: string | undefined;
  items.forEach((item, index) => {
    if (item.kind === 'tool_result') origins.set(index, calls.get(item.callId));
    else if (item.kind === 'message' && item.role === 'assistant') lastCommand = fencedCommandOf(messageText(item.content));
    else if (isObservation(item)) {
      origins.set(index, lastCommand ? { kind: 'tool_call', callId: '', name: 'command', arguments: lastCommand, toolKind: 'function' } : undefined);
      lastCommand = undefined;
    }
  });
  const lastReadIndex = new Map<string, number>();
  for (const [index, origin] of origins) {
    const path = pathArgument(origin);
    if (path) lastReadIndex.set(path, index);
  }
  const stubs = new Map<number, string>();
  for (const [index, call] of origins) {
    if (index >= until) continue;
    const text = outputTextOf(items[index]);
    if (text.startsWith(STUB_PREFIX) || text.length < 400) continue;
    const path = pathArgument(call);
    const newerRead = path !== undefined && (lastReadIndex.get(path) ?? index) > index;
    stubs.set(index, stubFor(text, call, newerRead));
  }
  return stubs;
}

/** Masks every tool result (and text-protocol observation) before index `until` (exclusive); returns new items and how many were masked. */
export function maskObservations(items: Item[], until: number): { items: Item[]; masked: number } {
  const stubs = observationStubs(items, until);
  const out = items.map((item, index) => {
    const stub = stubs.get(index);
    return stub === undefined ? item : withOutputText(item, stub);
  });
  return { items: out, masked: stubs.size };
}
