// Neutral stream events → an Anthropic Messages stream: message_start, content_block_start/
// delta/stop, message_delta with the stop reason and usage, message_stop; and the error event
// that ends a broken Anthropic stream.
import { randomBytes } from 'node:crypto';
import type { Usage } from '../../conversation/model.ts';
import { emptyUsage } from '../../conversation/model.ts';
import type { FinishReason, StreamEvent } from '../stream-events.ts';
import { stopReasonOf } from './finish.ts';
import { anthropicUsage } from './usage.ts';

export const anthropicMessageId = () => `msg_${randomBytes(12).toString('hex')}`;

/** The event that ends an Anthropic stream when the upstream fails after the first byte. */
export function anthropicStreamErrorFrame(message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`;
}

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
  private finishReason: FinishReason = 'stop';
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
        this.finishReason = event.reason;
        return out;
      case 'usage':
        this.usage = event.usage;
        return out;
      case 'error':
        return out + this.close() + anthropicStreamErrorFrame(event.message);
      default:
        return out;
    }
  }

  /** The closing frames: the open block's stop, message_delta (stop reason, usage) and message_stop. */
  finish(): string {
    return this.start() + this.close()
      + this.frame('message_delta', { delta: { stop_reason: stopReasonOf(this.finishReason, this.sawTool), stop_sequence: null }, usage: anthropicUsage(this.usage) })
      + this.frame('message_stop', {});
  }
}
