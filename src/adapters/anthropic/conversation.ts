// Anthropic Messages ⇄ the neutral conversation. Decoding: `system` becomes instructions; content
// blocks become messages, reasoning (thinking), tool calls (tool_use) and their results
// (tool_result, which Anthropic puts in the next user turn). Encoding does the reverse for
// Anthropic upstreams.
import type { ContentPart, Conversation, Item, ToolDefinition } from '../../conversation/model.ts';
import { messageText } from '../../conversation/model.ts';
import type { DropReport } from '../../conversation/drop-report.ts';

function textOfSystem(system: unknown): string | undefined {
  if (typeof system === 'string') return system || undefined;
  if (Array.isArray(system)) return system.map((b: any) => (typeof b?.text === 'string' ? b.text : '')).filter(Boolean).join('\n') || undefined;
  return undefined;
}

function blockPart(block: any): ContentPart | undefined {
  if (block?.type === 'text' && typeof block.text === 'string') return { type: 'text', text: block.text };
  if (block?.type === 'image') {
    const src = block.source ?? {};
    const url = src.type === 'base64' ? `data:${src.media_type};base64,${src.data}` : String(src.url ?? '');
    return { type: 'image', url };
  }
  return undefined;
}

function resultOutput(content: unknown): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts = content.map(blockPart).filter((p): p is ContentPart => !!p);
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p as { text: string }).text).join('\n') : parts;
}

/** An Anthropic body's `system`, `messages` and `tools` → the neutral conversation (the adapter's `decodeConversation`). */
export function decodeAnthropicConversation(body: Record<string, any>): Conversation {
  const items: Item[] = [];
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    const role = message?.role === 'assistant' ? 'assistant' : 'user';
    if (typeof message?.content === 'string') {
      items.push({ kind: 'message', role, content: [{ type: 'text', text: message.content }] });
      continue;
    }
    // Every item keeps the block(s) it came from, so an Anthropic upstream gets them back verbatim
    // (cache_control, thinking signatures, documents and blocks this codec does not model).
    let pending: ContentPart[] = [];
    let pendingRaw: unknown[] = [];
    const flush = () => {
      if (pending.length) items.push({ kind: 'message', role, content: pending, raw: pendingRaw, rawFormat: 'anthropic' });
      pending = [];
      pendingRaw = [];
    };
    const whole = { raw: undefined as unknown, rawFormat: 'anthropic' as const };
    for (const block of Array.isArray(message?.content) ? message.content : []) {
      whole.raw = block;
      if (block?.type === 'tool_use') {
        flush();
        items.push({ kind: 'tool_call', callId: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}), toolKind: 'function', ...whole });
      } else if (block?.type === 'tool_result') {
        flush();
        items.push({ kind: 'tool_result', callId: String(block.tool_use_id), output: resultOutput(block.content), toolKind: 'function', ...(block.is_error ? { isError: true } : {}), ...whole });
      } else if (block?.type === 'thinking' || block?.type === 'redacted_thinking') {
        flush();
        items.push({ kind: 'reasoning', summary: [], ...(block.thinking ? { text: String(block.thinking) } : {}), ...whole });
      } else {
        pending.push(blockPart(block) ?? { type: 'opaque', format: 'anthropic', raw: block });
        pendingRaw.push(block);
      }
    }
    flush();
  }
  const tools: ToolDefinition[] = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t: any) => typeof t?.name === 'string' && (t.type === undefined || t.type === 'custom'))
    .map((t: any) => ({ kind: 'function' as const, name: t.name, description: t.description, parameters: t.input_schema ?? { type: 'object', properties: {} } }));
  const instructions = textOfSystem(body.system);
  return { ...(instructions ? { instructions } : {}), items, tools };
}

/** The neutral conversation as an Anthropic Messages request's `system` and `messages` (tools: adapters/anthropic/tools.ts). */
export interface AnthropicConversation {
  system?: string;
  messages: any[];
}

const drop = (report: DropReport | undefined, type: string) => {
  if (report) report[type] = (report[type] ?? 0) + 1;
};

/** A data: URL or web URL → an Anthropic image source. */
function imageBlock(url: string): Record<string, unknown> {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return { type: 'image', source: data ? { type: 'base64', media_type: data[1], data: data[2] } : { type: 'url', url } };
}

function encodeBlocks(content: ContentPart[], report?: DropReport): any[] {
  const blocks: any[] = [];
  for (const part of content) {
    if ((part.type === 'text' || part.type === 'refusal') && part.text) blocks.push({ type: 'text', text: part.text });
    else if (part.type === 'image') blocks.push(imageBlock(part.url));
    else if (part.type === 'opaque') {
      if (part.format === 'anthropic') blocks.push(part.raw);
      else drop(report, 'content_part');
    }
  }
  return blocks;
}

/** Tool arguments as the `input` object Anthropic requires: custom tools' free text goes in `{input}`. */
function toolInput(item: { arguments: string; toolKind: string }): Record<string, unknown> {
  if (item.toolKind === 'custom') return { input: item.arguments };
  try {
    const parsed = JSON.parse(item.arguments || '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { value: parsed };
  } catch {
    return { raw: item.arguments };
  }
}

/**
 * Neutral conversation → Anthropic Messages. System and developer messages join `system` (the API
 * has no such roles); tool results go in the next user turn, as Anthropic requires; consecutive
 * turns of one role are merged; items decoded from Anthropic and left unchanged are emitted as
 * their original blocks. Other reasoning cannot travel (Anthropic accepts only thinking blocks it
 * signed itself) and sealed blobs cannot either: both are counted in `report`.
 */
export function encodeAnthropicMessages(conversation: Pick<Conversation, 'instructions' | 'items'>, report?: DropReport): AnthropicConversation {
  const system: string[] = conversation.instructions ? [conversation.instructions] : [];
  const messages: { role: 'user' | 'assistant'; content: any[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: any[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: [...blocks] });
  };
  for (const item of conversation.items) {
    if (item.raw !== undefined && item.rawFormat === 'anthropic') {
      // Unchanged since it was decoded from an Anthropic request: its original blocks.
      const role = item.kind === 'message' && item.role === 'user' ? 'user' : item.kind === 'tool_result' ? 'user' : 'assistant';
      push(role, Array.isArray(item.raw) ? item.raw : [item.raw]);
      continue;
    }
    switch (item.kind) {
      case 'message':
        if (item.role === 'system' || item.role === 'developer') {
          const text = messageText(item.content);
          if (text) system.push(text);
        } else push(item.role, encodeBlocks(item.content, report));
        break;
      case 'tool_call':
        push('assistant', [{ type: 'tool_use', id: item.callId, name: item.name, input: toolInput(item) }]);
        break;
      case 'tool_result': {
        const content = typeof item.output === 'string' ? item.output : encodeBlocks(item.output, report);
        push('user', [{ type: 'tool_result', tool_use_id: item.callId, content: content.length === 0 ? '(no output)' : content, ...(item.isError ? { is_error: true } : {}) }]);
        break;
      }
      case 'compaction':
        if (item.summaryText) push('user', [{ type: 'text', text: item.summaryText }]);
        else drop(report, 'compaction');
        break;
      case 'reasoning':
        drop(report, 'reasoning');
        break;
      case 'compaction_trigger':
        drop(report, 'compaction_trigger');
        break;
      case 'opaque':
        drop(report, item.wireType);
        break;
    }
  }
  // Tool results must open the user turn that answers the calls, before any text.
  for (const message of messages) {
    if (message.role === 'user') message.content.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'));
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages };
}

/** The neutral conversation → an Anthropic body's `system` (when it has one) and `messages` (the adapter's `encodeConversation`). */
export function encodeAnthropicConversation(conversation: Pick<Conversation, 'instructions' | 'items'>, report?: DropReport): Record<string, any> {
  const { system, messages } = encodeAnthropicMessages(conversation, report);
  return { ...(system ? { system } : {}), messages };
}
