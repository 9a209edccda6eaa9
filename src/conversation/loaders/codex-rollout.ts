// Codex CLI session rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`): one JSON record per
// line. Current versions write `{"type": "response_item", "payload": <Responses item>}` beside
// session metadata, turn context and UI events; older ones wrote the Responses items themselves
// after a first line of metadata (`{"id", "timestamp", "instructions"}`). The items, in order, are
// the Responses input Codex sent, and load as such.
import { adapterFor } from '../../adapters/registry.ts';
import type { LoadedSession } from './loaded-session.ts';

/** Responses item types Codex records. */
const ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'local_shell_call', 'reasoning', 'web_search_call', 'compaction']);

const isCurrentRecord = (r: any) => typeof r?.type === 'string' && r.payload !== undefined && ['session_meta', 'response_item', 'turn_context', 'event_msg', 'compacted'].includes(r.type);
const isLegacyItem = (r: any) => ITEM_TYPES.has(r?.type) && r.payload === undefined;

/** True for a Codex rollout: its records are typed rollout lines, or Responses items after a metadata line. */
export function isCodexRollout(records: any[]): boolean {
  if (records.some((r) => r?.type === 'response_item' && r?.payload && typeof r.payload.type === 'string')) return records.every((r) => isCurrentRecord(r) || r?.record_type === 'state');
  const [first, ...rest] = records;
  return typeof first?.id === 'string' && typeof first?.timestamp === 'string' && rest.length > 0 && rest.every((r) => isLegacyItem(r) || r?.record_type === 'state');
}

export function loadCodexRollout(records: any[]): LoadedSession {
  const input: unknown[] = [];
  let instructions: string | undefined;
  for (const record of records) {
    if (record?.type === 'session_meta' && typeof record.payload?.instructions === 'string') instructions = record.payload.instructions;
    else if (record?.type === 'response_item' && ITEM_TYPES.has(record.payload?.type)) input.push(record.payload);
    else if (isLegacyItem(record)) input.push(record);
    else if (input.length === 0 && typeof record?.instructions === 'string') instructions = record.instructions;
  }
  return { format: 'responses', conversation: adapterFor('responses').decodeConversation({ input, instructions }), source: 'codex rollout' };
}
