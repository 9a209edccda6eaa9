// Whole Anthropic `message` objects ⇄ neutral stream events: an upstream answer replayed as the
// events its stream would have carried, and the events gathered into a client's message.
import type { FinishReason, StreamEvent } from '../stream-events.ts';
import { emptyUsage } from '../../conversation/model.ts';
import { anthropicUsage, usageFromAnthropic } from './usage.ts';
import { finishOfStopReason, stopReasonOf } from './finish.ts';

/** A whole Anthropic `message` object as neutral events. */
export function anthropicMessageToEvents(message: any): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'start', id: String(message?.id ?? ''), model: String(message?.model ?? ''), created: Math.floor(Date.now() / 1000) }];
  let calls = 0;
  for (const block of Array.isArray(message?.content) ? message.content : []) {
    if (block?.type === 'text' && block.text) events.push({ type: 'text', delta: String(block.text) });
    else if (block?.type === 'thinking' && block.thinking) events.push({ type: 'reasoning', delta: String(block.thinking) });
    else if (block?.type === 'tool_use') {
      const index = calls++;
      events.push({ type: 'tool_call_start', index, callId: String(block.id ?? `toolu_${index}`), name: String(block.name ?? ''), custom: false });
      events.push({ type: 'tool_call_args', index, delta: JSON.stringify(block.input ?? {}) });
    }
  }
  events.push({ type: 'finish', reason: finishOfStopReason(message?.stop_reason) });
  const usage = usageFromAnthropic(message?.usage);
  if (usage) events.push({ type: 'usage', usage });
  return events;
}

/** Neutral events → a whole Anthropic `message` object. */
export function eventsToAnthropicMessage(events: StreamEvent[], id: string, model: string): Record<string, unknown> {
  const content: any[] = [];
  const calls = new Map<number, any>();
  let usage = emptyUsage();
  let finish: FinishReason = 'stop';
  const last = () => content[content.length - 1];
  for (const event of events) {
    if (event.type === 'text') {
      if (last()?.type !== 'text') content.push({ type: 'text', text: '' });
      last().text += event.delta;
    } else if (event.type === 'reasoning') {
      if (last()?.type !== 'thinking') content.push({ type: 'thinking', thinking: '', signature: '' });
      last().thinking += event.delta;
    } else if (event.type === 'tool_call_start') {
      const block = { type: 'tool_use', id: event.callId, name: event.name, input: {}, _args: '' };
      calls.set(event.index, block);
      content.push(block);
    } else if (event.type === 'tool_call_args') {
      const block = calls.get(event.index);
      if (block) block._args += event.delta;
    } else if (event.type === 'usage') usage = event.usage;
    else if (event.type === 'finish') finish = event.reason;
  }
  for (const block of calls.values()) {
    try {
      block.input = block._args ? JSON.parse(block._args) : {};
    } catch {
      block.input = { raw: block._args };
    }
    delete block._args;
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReasonOf(finish, calls.size > 0),
    stop_sequence: null,
    usage: anthropicUsage(usage),
  };
}
