// Chat Completions `messages` ⇄ the neutral conversation. Assistant messages split into
// reasoning, text and tool calls on the way in and are rebuilt on the way out; an item still
// carrying its original chat message is emitted verbatim.
import type { ContentPart, Conversation, Item } from '../../conversation/model.ts';
import type { DropReport } from '../../conversation/drop-report.ts';
import type { JsonObject } from '../../json.ts';

function decodeContent(content: unknown): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: any): ContentPart => {
    if (part?.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (part?.type === 'image_url') return { type: 'image', url: String(part.image_url?.url ?? ''), ...(part.image_url?.detail ? { detail: part.image_url.detail } : {}) };
    if (part?.type === 'refusal' && typeof part.refusal === 'string') return { type: 'refusal', text: part.refusal };
    return { type: 'opaque', format: 'chat', raw: part };
  });
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

export function decodeChatMessages(messages: unknown[]): Conversation {
  const items: Item[] = [];
  for (const message of messages) {
    const m = message as any;
    if (m?.role === 'tool') {
      items.push({ kind: 'tool_result', callId: String(m.tool_call_id ?? (Array.isArray(m.tool_call_ids) ? m.tool_call_ids[0] : '') ?? ''), output: typeof m.content === 'string' ? m.content : decodeContent(m.content), toolKind: 'function', raw: m, rawFormat: 'chat' });
      continue;
    }
    if (m?.role === 'function') {
      // Legacy function-calling answer: no call id on the wire, so it is kept as plain chat text.
      items.push({ kind: 'opaque', wireType: 'function_message', raw: m, rawFormat: 'chat' });
      continue;
    }
    if (m?.role === 'assistant') {
      const parts: Item[] = [];
      const reasoning = m.reasoning_content ?? m.reasoning;
      if (typeof reasoning === 'string' && reasoning) parts.push({ kind: 'reasoning', summary: [], text: reasoning });
      const content = decodeContent(m.content);
      const hasCalls = Array.isArray(m.tool_calls) && m.tool_calls.length > 0;
      if (content.length > 0 || !hasCalls) parts.push({ kind: 'message', role: 'assistant', content, ...(m.name ? { name: m.name } : {}) });
      for (const call of hasCalls ? m.tool_calls : []) {
        parts.push({ kind: 'tool_call', callId: String(call.id ?? ''), name: String(call.function?.name ?? ''), arguments: String(call.function?.arguments ?? ''), toolKind: 'function' });
      }
      if (parts.length === 1) Object.assign(parts[0], { raw: m, rawFormat: 'chat' });
      items.push(...parts);
      continue;
    }
    const role = ROLES.has(m?.role) ? m.role : 'user';
    items.push({ kind: 'message', role, content: decodeContent(m?.content), ...(m?.name ? { name: m.name } : {}), raw: m, rawFormat: 'chat' });
  }
  return { items, tools: [] };
}

function encodeContent(content: ContentPart[]): string | unknown[] {
  if (content.every((p) => p.type === 'text')) return content.map((p) => (p as { text: string }).text).join('\n');
  const parts: unknown[] = [];
  for (const p of content) {
    if (p.type === 'text') parts.push({ type: 'text', text: p.text });
    else if (p.type === 'image') parts.push({ type: 'image_url', image_url: { url: p.url, ...(p.detail ? { detail: p.detail } : {}) } });
    else if (p.type === 'refusal') parts.push({ type: 'text', text: p.text });
    else if (p.format === 'chat') parts.push(p.raw);
  }
  return parts;
}

function textOf(output: string | ContentPart[]): string | unknown[] {
  return typeof output === 'string' ? output : encodeContent(output);
}

const drop = (report: DropReport | undefined, type: string) => {
  if (report) report[type] = (report[type] ?? 0) + 1;
};

/** Neutral conversation → chat `messages`. Items chat cannot carry are counted in `report`. */
export function encodeChatMessages(conversation: Pick<Conversation, 'instructions' | 'items'>, report?: DropReport): any[] {
  const out: any[] = [];
  if (conversation.instructions) out.push({ role: 'system', content: conversation.instructions });
  let assistant: any | undefined;
  let pendingReasoning = '';
  const flush = () => {
    if (assistant) out.push(assistant);
    assistant = undefined;
  };
  const openAssistant = () => {
    if (!assistant) {
      assistant = { role: 'assistant', content: null };
      if (pendingReasoning) assistant.reasoning_content = pendingReasoning;
      pendingReasoning = '';
    }
    return assistant;
  };
  for (const item of conversation.items) {
    const singleCallMessage = item.kind === 'tool_call' && (item.raw as any)?.tool_calls?.length === 1 && !pendingReasoning;
    if (item.raw !== undefined && item.rawFormat === 'chat' && ((item.kind !== 'tool_call' && item.kind !== 'reasoning') || singleCallMessage)) {
      flush();
      out.push(item.raw);
      continue;
    }
    switch (item.kind) {
      case 'message': {
        if (item.role === 'assistant') {
          flush();
          const a = openAssistant();
          a.content = encodeContent(item.content);
          if (item.name) a.name = item.name;
        } else {
          flush();
          // Chat-only providers (DeepSeek, vLLM, Ollama) know `system` but not always `developer`.
          const role = item.role === 'developer' ? 'system' : item.role;
          out.push({ role, content: encodeContent(item.content), ...(item.name ? { name: item.name } : {}) });
        }
        break;
      }
      case 'reasoning':
        flush();
        if (item.text) pendingReasoning += item.text;
        else if (item.summary.length > 0) pendingReasoning += item.summary.join('\n');
        else drop(report, 'reasoning');
        break;
      case 'tool_call': {
        const a = openAssistant();
        a.tool_calls ??= [];
        const args = item.toolKind === 'function' ? item.arguments : JSON.stringify({ input: item.arguments });
        a.tool_calls.push({ id: item.callId, type: 'function', function: { name: item.name, arguments: args } });
        break;
      }
      case 'tool_result':
        flush();
        out.push({ role: 'tool', tool_call_id: item.callId, content: textOf(item.output) });
        break;
      case 'compaction':
        flush();
        if (item.summaryText) out.push({ role: 'user', content: item.summaryText });
        else drop(report, 'compaction');
        break;
      case 'compaction_trigger':
        drop(report, 'compaction_trigger');
        break;
      case 'opaque':
        if (item.rawFormat === 'chat') {
          flush();
          out.push(item.raw);
        } else drop(report, item.wireType);
        break;
    }
  }
  flush();
  return out;
}

/** A chat body's `messages` → the neutral conversation (the adapter's `decodeConversation`). */
export const decodeChatConversation = (body: JsonObject): Conversation => decodeChatMessages(Array.isArray(body.messages) ? body.messages : []);

/** The neutral conversation → a chat body's `messages`; instructions become its system message. */
export const encodeChatConversation = (conversation: Pick<Conversation, 'instructions' | 'items'>, report?: DropReport): JsonObject => ({ messages: encodeChatMessages(conversation, report) });
