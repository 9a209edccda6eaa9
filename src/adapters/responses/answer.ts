// Whole (non-streamed) Responses `response` objects ⇄ neutral stream events: an upstream answer
// is replayed as events; a client's answer is the stream encoder's final object; the encrypted
// blobs an upstream minted in its output are read here.
import type { StreamEvent } from '../stream-events.ts';
import { ResponsesStreamEncoder, finishOfResponse, type ResponsesStreamEncoderOptions } from './stream.ts';
import { usageFromResponses } from './usage.ts';

/** A Responses `response` object as neutral events. */
export function responseToEvents(response: any): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'start', id: String(response?.id ?? ''), model: String(response?.model ?? ''), created: Number(response?.created_at ?? 0) }];
  let calls = 0;
  for (const item of Array.isArray(response?.output) ? response.output : []) {
    if (item?.type === 'reasoning') {
      const text = (Array.isArray(item.summary) ? item.summary : []).map((s: any) => s?.text ?? '').filter(Boolean).join('\n');
      if (text) events.push({ type: 'reasoning', delta: text });
    } else if (item?.type === 'message') {
      for (const part of Array.isArray(item.content) ? item.content : []) {
        if ((part?.type === 'output_text' || part?.type === 'refusal') && (part.text ?? part.refusal)) events.push({ type: 'text', delta: String(part.text ?? part.refusal) });
      }
    } else if (item?.type === 'function_call' || item?.type === 'custom_tool_call') {
      const index = calls++;
      events.push({ type: 'tool_call_start', index, callId: String(item.call_id ?? item.id ?? `call_${index}`), name: String(item.name ?? ''), custom: item.type === 'custom_tool_call' });
      const args = item.type === 'custom_tool_call' ? JSON.stringify({ input: item.input ?? '' }) : item.arguments;
      if (args) events.push({ type: 'tool_call_args', index, delta: String(args) });
    }
  }
  events.push({ type: 'finish', reason: finishOfResponse(response?.status === 'incomplete', calls > 0) });
  const usage = usageFromResponses(response?.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}

/** Neutral events → a whole Responses `response` object. */
export function eventsToResponse(events: StreamEvent[], options: ResponsesStreamEncoderOptions): Record<string, unknown> {
  const encoder = new ResponsesStreamEncoder(options);
  let failed: { code: string; message: string } | undefined;
  let length = false;
  for (const event of events) {
    if (event.type === 'error') failed = event;
    if (event.type === 'finish' && event.reason === 'length') length = true;
    encoder.encode(event);
  }
  encoder.finish();
  if (failed) return encoder.responseObject('failed', { error: { code: failed.code, message: failed.message } });
  return length ? encoder.responseObject('incomplete', { incomplete_details: { reason: 'max_output_tokens' } }) : encoder.responseObject('completed');
}

/** Encrypted contents of Responses output items (an `output` array or one item). */
export function encryptedContentsOf(items: unknown): string[] {
  const list = Array.isArray(items) ? items : [items];
  const out: string[] = [];
  for (const item of list) {
    const blob = (item as { encrypted_content?: unknown } | null)?.encrypted_content;
    if (typeof blob === 'string' && blob) out.push(blob);
  }
  return out;
}
