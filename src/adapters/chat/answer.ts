// Whole (non-streamed) chat completions ⇄ neutral stream events: an answer is replayed as the
// events its stream would have carried, so one set of rules serves streamed and whole answers.
import type { StreamEvent } from '../stream-events.ts';
import { chatUsage, usageFromChat } from './usage.ts';
import { finishFromChat } from './stream.ts';
import type { Usage } from '../../conversation/model.ts';
import { emptyUsage } from '../../conversation/model.ts';

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
  events.push({ type: 'finish', reason: finishFromChat(choice.finish_reason) });
  const usage = usageFromChat(completion?.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
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
