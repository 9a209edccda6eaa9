// The `output` of a Responses-shape compaction, in the form seed 001 and OpenAI document: every
// message item typed (`type:"message"`, content parts `input_text`/`output_text`), whatever shape
// the client sent it in (plain `{role, content:"…"}` included), so `output[].content[].text` holds.
import type { ContentPart, MessageItem } from '../conversation/model.ts';

function typedPart(part: ContentPart, role: string): unknown {
  if (part.type === 'text') return role === 'assistant' ? { type: 'output_text', text: part.text, annotations: [] } : { type: 'input_text', text: part.text };
  if (part.type === 'image') return { type: 'input_image', image_url: part.url, detail: part.detail ?? 'auto' };
  if (part.type === 'refusal') return { type: 'refusal', refusal: part.text };
  const raw = part.raw as { type?: unknown } | null;
  return raw && typeof raw === 'object' && typeof raw.type === 'string' ? raw : undefined;
}

/** One kept message as a typed Responses message item; the client's item id is kept when it had one. */
export function typedMessageItem(item: MessageItem): Record<string, unknown> {
  const content = item.content.map((part) => typedPart(part, item.role)).filter((part) => part !== undefined);
  return { type: 'message', ...(item.id ? { id: item.id } : {}), role: item.role, content };
}

/** The assistant message that carries the handoff summary. */
export function summaryMessageItem(id: string, text: string): Record<string, unknown> {
  return { type: 'message', id, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}
