// Neutral stream events → Anthropic Messages answers: the SSE sequence (message_start,
// content_block_start/delta/stop, message_delta with usage, message_stop) and whole messages.
import { randomBytes } from 'node:crypto';
import type { Usage } from '../conversation/model.ts';
import { emptyUsage } from '../conversation/model.ts';
import type { FinishReason, StreamEvent } from './stream-events.ts';

const STOP_REASON: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

export const anthropicMessageId = () => `msg_${randomBytes(12).toString('hex')}`;

interface OpenBlock {
  index: number;
  kind: 'text' | 'thinking' | 'tool_use';
  callIndex?: number;
}

export class AnthropicStreamEncoder {
  private readonly id: string;
  private readonly model: string;
  private started = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private usage: Usage = emptyUsage();
  private finish: FinishReason = 'stop';
  private sawTool = false;
  private readonly inputTokens: number;

  /** `inputTokens`: the relay's count of the request, for `message_start` (the upstream's own count comes in `message_delta`). */
  constructor(id: string, model: string, inputTokens = 0) {
    this.id = id;
    this.model = model;
    this.inputTokens = inputTokens;
  }

  private frame(type: string, payload: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
  }

  start(): string {
    if (this.started) return '';
    this.started = true;
    return this.frame('message_start', {
      message: { id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: this.inputTokens, output_tokens: 0 } },
    });
  }

  private close(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return this.frame('content_block_stop', { index });
  }

  private openBlock(kind: OpenBlock['kind'], contentBlock: Record<string, unknown>, callIndex?: number): string {
    const out = this.close();
    this.open = { index: this.nextIndex++, kind, callIndex };
    return out + this.frame('content_block_start', { index: this.open.index, content_block: contentBlock });
  }

  encode(event: StreamEvent): string {
    let out = this.start();
    switch (event.type) {
      case 'text':
        if (this.open?.kind !== 'text') out += this.openBlock('text', { type: 'text', text: '' });
        return out + this.frame('content_block_delta', { index: this.open!.index, delta: { type: 'text_delta', text: event.delta } });
      case 'reasoning':
        if (this.open?.kind !== 'thinking') out += this.openBlock('thinking', { type: 'thinking', thinking: '' });
        return out + this.frame('content_block_delta', { index: this.open!.index, delta: { type: 'thinking_delta', thinking: event.delta } });
      case 'tool_call_start':
        this.sawTool = true;
        return out + this.openBlock('tool_use', { type: 'tool_use', id: event.callId, name: event.name, input: {} }, event.index);
      case 'tool_call_args':
        if (this.open?.kind !== 'tool_use' || this.open.callIndex !== event.index) return out;
        return out + this.frame('content_block_delta', { index: this.open.index, delta: { type: 'input_json_delta', partial_json: event.delta } });
      case 'finish':
        this.finish = event.reason;
        return out;
      case 'usage':
        this.usage = event.usage;
        return out;
      case 'error':
        return out + this.close() + this.frame('error', { error: { type: 'api_error', message: event.message } });
      default:
        return out;
    }
  }

  end(): string {
    const reason = this.sawTool && this.finish === 'stop' ? 'tool_use' : STOP_REASON[this.finish];
    return this.start() + this.close()
      + this.frame('message_delta', { delta: { stop_reason: reason, stop_sequence: null }, usage: { input_tokens: this.usage.inputTokens, output_tokens: this.usage.outputTokens, cache_read_input_tokens: this.usage.cachedTokens } })
      + this.frame('message_stop', {});
  }
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
    stop_reason: calls.size > 0 && finish === 'stop' ? 'tool_use' : STOP_REASON[finish],
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens, cache_read_input_tokens: usage.cachedTokens },
  };
}
