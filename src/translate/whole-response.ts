// Whole (non-streamed) answers translated between Chat Completions and Responses by replaying
// them as neutral stream events, so one set of rules serves streamed and whole answers alike.
import type { StreamEvent } from './stream-events.ts';
import { ResponsesStreamEncoder, chatUsage, type ResponsesStreamEncoderOptions } from './responses-stream.ts';
import { usageFromChat, usageFromResponses } from '../upstream/usage-tap.ts';
import type { Usage } from '../conversation/model.ts';
import { emptyUsage } from '../conversation/model.ts';

/** A `chat.completion` object as neutral events. */
export function chatCompletionToEvents(completion: any): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'start', id: String(completion?.id ?? ''), model: String(completion?.model ?? ''), created: Number(completion?.created ?? 0) }];
  const choice = completion?.choices?.[0] ?? {};
  const message = choice.message ?? {};
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning) events.push({ type: 'reasoning', delta: reasoning });
  if (typeof message.content === 'string' && message.content) events.push({ type: 'text', delta: message.content });
  (Array.isArray(message.tool_calls) ? message.tool_calls : []).forEach((call: any, index: number) => {
    events.push({ type: 'tool_call_start', index, callId: String(call.id ?? `call_${index}`), name: String(call.function?.name ?? ''), custom: false });
    if (call.function?.arguments) events.push({ type: 'tool_call_args', index, delta: String(call.function.arguments) });
  });
  const finish = choice.finish_reason;
  events.push({ type: 'finish', reason: finish === 'length' ? 'length' : finish === 'tool_calls' || finish === 'function_call' ? 'tool_calls' : finish === 'content_filter' ? 'content_filter' : 'stop' });
  const usage = usageFromChat(completion?.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}

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
  events.push({ type: 'finish', reason: response?.status === 'incomplete' ? 'length' : calls > 0 ? 'tool_calls' : 'stop' });
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

export interface ChatEnvelope {
  id: string;
  model: string;
  created: number;
}

/** Neutral events → a whole `chat.completion` object. */
export function eventsToChatCompletion(events: StreamEvent[], envelope: ChatEnvelope): Record<string, unknown> {
  let content = '';
  let reasoning = '';
  const calls = new Map<number, { id: string; type: 'function'; function: { name: string; arguments: string } }>();
  let finish: string | undefined;
  let usage: Usage = emptyUsage();
  for (const event of events) {
    if (event.type === 'text') content += event.delta;
    else if (event.type === 'reasoning') reasoning += event.delta;
    else if (event.type === 'tool_call_start') calls.set(event.index, { id: event.callId, type: 'function', function: { name: event.name, arguments: '' } });
    else if (event.type === 'tool_call_args') {
      const call = calls.get(event.index);
      if (call) call.function.arguments += event.delta;
    } else if (event.type === 'finish') finish = event.reason;
    else if (event.type === 'usage') usage = event.usage;
  }
  const message: Record<string, unknown> = { role: 'assistant', content: content || (calls.size > 0 ? null : '') };
  if (reasoning) message.reasoning_content = reasoning;
  if (calls.size > 0) message.tool_calls = [...calls.values()];
  return {
    id: envelope.id,
    object: 'chat.completion',
    created: envelope.created,
    model: envelope.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish ?? (calls.size > 0 ? 'tool_calls' : 'stop') }],
    usage: chatUsage(usage),
  };
}
