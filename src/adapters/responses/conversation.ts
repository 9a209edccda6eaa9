// Responses API `input` items ⇄ the neutral conversation. Every item keeps its original object,
// so forwarding to a Responses upstream emits it verbatim (ids and unknown fields survive);
// unknown item types are carried as opaque items and only dropped where a target cannot carry them.
import type { ContentPart, Conversation, Item, ToolKind } from '../../conversation/model.ts';
import type { DropReport } from '../../conversation/drop-report.ts';
import type { JsonObject } from '../../json.ts';

function decodeParts(content: unknown): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: any): ContentPart => {
    if ((part?.type === 'input_text' || part?.type === 'output_text' || part?.type === 'text') && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part?.type === 'refusal' && typeof part.refusal === 'string') return { type: 'refusal', text: part.refusal };
    if (part?.type === 'input_image' && typeof part.image_url === 'string') return { type: 'image', url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) };
    return { type: 'opaque', format: 'responses', raw: part };
  });
}

const CALL_KIND: Record<string, ToolKind> = { function_call: 'function', custom_tool_call: 'custom', local_shell_call: 'local_shell' };
const OUTPUT_KIND: Record<string, ToolKind> = { function_call_output: 'function', custom_tool_call_output: 'custom', local_shell_call_output: 'local_shell' };

function decodeItem(raw: any): Item {
  const base = { raw, rawFormat: 'responses' as const, ...(typeof raw?.id === 'string' ? { id: raw.id } : {}) };
  const type = raw?.type ?? (raw?.role ? 'message' : undefined);
  if (type === 'message') {
    const role = ['system', 'developer', 'user', 'assistant'].includes(raw.role) ? raw.role : 'user';
    return { ...base, kind: 'message', role, content: decodeParts(raw.content) };
  }
  if (type in CALL_KIND) {
    const args = type === 'custom_tool_call' ? raw.input : type === 'local_shell_call' ? JSON.stringify(raw.action ?? {}) : raw.arguments;
    return { ...base, kind: 'tool_call', callId: String(raw.call_id ?? raw.id ?? ''), name: String(raw.name ?? (type === 'local_shell_call' ? 'local_shell' : '')), arguments: String(args ?? ''), toolKind: CALL_KIND[type] };
  }
  if (type in OUTPUT_KIND) {
    const output = typeof raw.output === 'string' ? raw.output : Array.isArray(raw.output) ? decodeParts(raw.output) : JSON.stringify(raw.output ?? '');
    return { ...base, kind: 'tool_result', callId: String(raw.call_id ?? ''), output, toolKind: OUTPUT_KIND[type] };
  }
  if (type === 'reasoning') {
    const summary = (Array.isArray(raw.summary) ? raw.summary : []).map((s: any) => String(s?.text ?? '')).filter(Boolean);
    const text = (Array.isArray(raw.content) ? raw.content : []).map((c: any) => String(c?.text ?? '')).filter(Boolean).join('\n');
    return { ...base, kind: 'reasoning', summary, ...(text ? { text } : {}), ...(typeof raw.encrypted_content === 'string' ? { encryptedContent: raw.encrypted_content } : {}) };
  }
  if (type === 'compaction' || type === 'compaction_summary') {
    return { ...base, kind: 'compaction', ...(typeof raw.encrypted_content === 'string' ? { encryptedContent: raw.encrypted_content } : {}) };
  }
  if (type === 'compaction_trigger') return { ...base, kind: 'compaction_trigger' };
  return { ...base, kind: 'opaque', wireType: String(type ?? 'unknown') };
}

export function decodeResponsesInput(input: string | unknown[], instructions?: string): Conversation {
  const items: Item[] = typeof input === 'string'
    ? [{ kind: 'message', role: 'user', content: [{ type: 'text', text: input }] }]
    : input.map(decodeItem);
  return { ...(instructions ? { instructions } : {}), items, tools: [] };
}

function encodeParts(content: ContentPart[], role: string): unknown[] {
  const textType = role === 'assistant' ? 'output_text' : 'input_text';
  const parts: unknown[] = [];
  for (const p of content) {
    if (p.type === 'text') parts.push(role === 'assistant' ? { type: textType, text: p.text, annotations: [] } : { type: textType, text: p.text });
    else if (p.type === 'refusal') parts.push({ type: 'refusal', refusal: p.text });
    else if (p.type === 'image') parts.push({ type: 'input_image', image_url: p.url, detail: p.detail ?? 'auto' });
    else if (p.format === 'responses') parts.push(p.raw);
  }
  return parts;
}

const drop = (report: DropReport | undefined, type: string) => {
  if (report) report[type] = (report[type] ?? 0) + 1;
};

function shellAction(args: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(args);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Neutral conversation → Responses `input` items (instructions travel separately).
 * Items decoded from Responses are emitted verbatim (`raw`); others are rebuilt. Items Responses
 * cannot carry (chat reasoning text without an encrypted blob, opaque items of another format) are
 * dropped and counted by type in `report`.
 */
export function encodeResponsesInput(conversation: Pick<Conversation, 'items'>, report?: DropReport): any[] {
  const out: any[] = [];
  for (const item of conversation.items) {
    if (item.raw !== undefined && item.rawFormat === 'responses') {
      out.push(item.raw);
      continue;
    }
    switch (item.kind) {
      case 'message':
        out.push({ type: 'message', role: item.role, content: encodeParts(item.content, item.role) });
        break;
      case 'tool_call':
        if (item.toolKind === 'local_shell' && shellAction(item.arguments)) out.push({ type: 'local_shell_call', call_id: item.callId, status: 'completed', action: shellAction(item.arguments) });
        else if (item.toolKind === 'custom') out.push({ type: 'custom_tool_call', call_id: item.callId, name: item.name, input: item.arguments });
        else out.push({ type: 'function_call', call_id: item.callId, name: item.name, arguments: item.arguments });
        break;
      case 'tool_result': {
        const output = typeof item.output === 'string' ? item.output : encodeParts(item.output, 'user');
        out.push({ type: item.toolKind === 'custom' ? 'custom_tool_call_output' : 'function_call_output', call_id: item.callId, output });
        break;
      }
      case 'reasoning':
        // Reasoning without the issuer's encrypted content cannot be replayed to a Responses upstream.
        if (item.encryptedContent) out.push({ type: 'reasoning', summary: item.summary.map((text) => ({ type: 'summary_text', text })), encrypted_content: item.encryptedContent });
        else drop(report, 'reasoning');
        break;
      case 'compaction':
        if (item.summaryText) out.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: item.summaryText }] });
        else if (item.encryptedContent) out.push({ type: 'compaction', ...(item.id ? { id: item.id } : {}), encrypted_content: item.encryptedContent });
        else drop(report, 'compaction');
        break;
      case 'compaction_trigger':
        out.push({ type: 'compaction_trigger' });
        break;
      case 'opaque':
        drop(report, item.wireType);
        break;
    }
  }
  return out;
}

/** A Responses body's `input` and `instructions` → the neutral conversation (the adapter's `decodeConversation`). */
export const decodeResponsesConversation = (body: JsonObject): Conversation => decodeResponsesInput(body.input ?? [], typeof body.instructions === 'string' ? body.instructions : undefined);

/** The neutral conversation → a Responses body's `instructions` (when it has some) and `input`. */
export const encodeResponsesConversation = (conversation: Pick<Conversation, 'instructions' | 'items'>, report?: DropReport): JsonObject => ({
  ...(conversation.instructions ? { instructions: conversation.instructions } : {}),
  input: encodeResponsesInput(conversation, report),
});
