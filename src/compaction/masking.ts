// L2, observation masking: old tool results (before the protected tail) are replaced by short,
// informative stubs; tool calls, user messages and the first task are never touched.
import type { Item, ToolCallItem, ToolResultItem } from '../conversation/model.ts';
import { toolOutputText } from '../conversation/model.ts';
import { exitCodeOf } from './ledger.ts';
import { ERROR_LINE } from './normalize.ts';
import { hashText } from './tokens.ts';
import { redactSecrets } from './secrets.ts';

export const STUB_PREFIX = '[gateway: output hidden to save context';

function pathArgument(call: ToolCallItem | undefined): string | undefined {
  if (!call) return undefined;
  try {
    const args = JSON.parse(call.arguments);
    const path = args?.path ?? args?.file_path ?? args?.filename;
    if (typeof path === 'string') return path;
    const command = typeof args?.command === 'string' ? args.command : Array.isArray(args?.command) ? args.command.join(' ') : '';
    const read = /^(?:cat|head|tail|less|nl|sed -n \S+)\s+(\S+)/.exec(command);
    return read?.[1];
  } catch {
    return undefined;
  }
}

function stubFor(result: ToolResultItem, call: ToolCallItem | undefined, newerRead: boolean): string {
  const text = toolOutputText(result.output);
  const lines = text.split('\n').length;
  const exit = exitCodeOf(text);
  const error = text.split('\n').find((l) => ERROR_LINE.test(l) && l.trim().length > 3);
  const digest = call ? `${call.name} ${redactSecrets(call.arguments).replace(/\s+/g, ' ').slice(0, 80)}` : 'tool';
  const parts = [`${STUB_PREFIX}: ${digest}`, `${lines} lines`, `#${hashText(text).slice(0, 8)}`];
  if (exit !== null) parts.push(`exit ${exit}`);
  if (error) parts.push(`first error: ${redactSecrets(error.trim()).slice(0, 160)}`);
  if (newerRead) parts.push('a newer read of this file appears later');
  return `${parts.join('; ')}. Re-run the tool to see it again.]`;
}

/** Masks every tool result before index `until` (exclusive); returns new items and how many were masked. */
export function maskObservations(items: Item[], until: number): { items: Item[]; masked: number } {
  const calls = new Map<string, ToolCallItem>();
  for (const item of items) if (item.kind === 'tool_call') calls.set(item.callId, item);
  const lastReadIndex = new Map<string, number>();
  items.forEach((item, index) => {
    if (item.kind !== 'tool_result') return;
    const path = pathArgument(calls.get(item.callId));
    if (path) lastReadIndex.set(path, index);
  });
  let masked = 0;
  const out = items.map((item, index) => {
    if (index >= until || item.kind !== 'tool_result') return item;
    const text = toolOutputText(item.output);
    if (text.startsWith(STUB_PREFIX) || text.length < 400) return item;
    const call = calls.get(item.callId);
    const path = pathArgument(call);
    const newerRead = path !== undefined && (lastReadIndex.get(path) ?? index) > index;
    masked++;
    const stub: ToolResultItem = { kind: 'tool_result', callId: item.callId, toolKind: item.toolKind, output: stubFor(item, call, newerRead), ...(item.id ? { id: item.id } : {}) };
    return stub;
  });
  return { items: out, masked };
}
