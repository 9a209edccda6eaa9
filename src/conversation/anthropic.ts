// Anthropic Messages requests → the neutral conversation: `system` becomes instructions; content
// blocks become messages, reasoning (thinking), tool calls (tool_use) and their results
// (tool_result, which Anthropic puts in the next user turn).
import type { ContentPart, Conversation, Item, ToolDefinition } from './model.ts';

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

export function decodeAnthropicRequest(body: Record<string, any>): Conversation {
  const items: Item[] = [];
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    const role = message?.role === 'assistant' ? 'assistant' : 'user';
    if (typeof message?.content === 'string') {
      items.push({ kind: 'message', role, content: [{ type: 'text', text: message.content }] });
      continue;
    }
    let pending: ContentPart[] = [];
    const flush = () => {
      if (pending.length) items.push({ kind: 'message', role, content: pending });
      pending = [];
    };
    for (const block of Array.isArray(message?.content) ? message.content : []) {
      if (block?.type === 'tool_use') {
        flush();
        items.push({ kind: 'tool_call', callId: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}), toolKind: 'function' });
      } else if (block?.type === 'tool_result') {
        flush();
        items.push({ kind: 'tool_result', callId: String(block.tool_use_id), output: resultOutput(block.content), toolKind: 'function', ...(block.is_error ? { isError: true } : {}) });
      } else if (block?.type === 'thinking' || block?.type === 'redacted_thinking') {
        flush();
        items.push({ kind: 'reasoning', summary: [], ...(block.thinking ? { text: String(block.thinking) } : {}) });
      } else {
        const part = blockPart(block);
        if (part) pending.push(part);
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
