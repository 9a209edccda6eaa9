// Chat Completions streams ⇄ neutral stream events: a stateful decoder for upstream chunks and
// an encoder producing `chat.completion.chunk` frames ending in `data: [DONE]`, and the error
// frame that ends a broken chat stream.
import type { FinishReason, StreamEvent } from '../stream-events.ts';
import { chatUsage, usageFromChat } from './usage.ts';

const FINISH: Record<string, FinishReason> = { stop: 'stop', length: 'length', tool_calls: 'tool_calls', function_call: 'tool_calls', content_filter: 'content_filter' };

/** A chat `finish_reason` → the neutral reason (the neutral names are chat's own). */
export const finishFromChat = (reason: unknown): FinishReason => FINISH[String(reason)] ?? 'stop';

export class ChatStreamDecoder {
  private started = false;
  private readonly seenCalls = new Set<number>();
  done = false;

  /** One SSE event in (chat names none; only `data:` counts), neutral events out. */
  decode(_event: string | undefined, data: string): StreamEvent[] {
    if (data === '[DONE]') {
      this.done = true;
      return [];
    }
    let chunk: any;
    try {
      chunk = JSON.parse(data);
    } catch {
      return [{ type: 'error', code: 'upstream_bad_stream', message: 'The upstream sent a stream event that is not JSON.' }];
    }
    if (chunk?.error) return [{ type: 'error', code: String(chunk.error.code ?? 'upstream_error'), message: String(chunk.error.message ?? 'upstream error') }];
    const events: StreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      events.push({ type: 'start', id: String(chunk.id ?? ''), model: String(chunk.model ?? ''), created: Number(chunk.created ?? Math.floor(Date.now() / 1000)) });
    }
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if ((choice.index ?? 0) !== 0) continue;
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning) events.push({ type: 'reasoning', delta: reasoning });
      if (typeof delta.content === 'string' && delta.content) events.push({ type: 'text', delta: delta.content });
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        const index = Number(call.index ?? 0);
        if (!this.seenCalls.has(index)) {
          this.seenCalls.add(index);
          events.push({ type: 'tool_call_start', index, callId: String(call.id ?? `call_${index}`), name: String(call.function?.name ?? ''), custom: false });
        }
        const args = call.function?.arguments;
        if (typeof args === 'string' && args) events.push({ type: 'tool_call_args', index, delta: args });
      }
      if (choice.finish_reason) events.push({ type: 'finish', reason: finishFromChat(choice.finish_reason) });
    }
    const usage = usageFromChat(chunk.usage);
    if (usage) events.push({ type: 'usage', usage });
    return events;
  }
}

export interface ChatStreamEncoderOptions {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
}

/** Neutral events → chat SSE frames. `finish()` writes the closing frames. */
export class ChatStreamEncoder {
  private readonly options: ChatStreamEncoderOptions;
  private roleSent = false;
  private finishReason: FinishReason | undefined;
  private usage: StreamEvent & { type: 'usage' } | undefined;
  private sawToolCall = false;

  constructor(options: ChatStreamEncoderOptions) {
    this.options = options;
  }

  private frame(delta: Record<string, unknown>, finishReason: string | null = null): string {
    const chunk = {
      id: this.options.id,
      object: 'chat.completion.chunk',
      created: this.options.created,
      model: this.options.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  private withRole(delta: Record<string, unknown>): Record<string, unknown> {
    if (this.roleSent) return delta;
    this.roleSent = true;
    return { role: 'assistant', ...delta };
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case 'start':
        return '';
      case 'text':
        return this.frame(this.withRole({ content: event.delta }));
      case 'reasoning':
        return this.frame(this.withRole({ reasoning_content: event.delta }));
      case 'tool_call_start':
        this.sawToolCall = true;
        return this.frame(this.withRole({ tool_calls: [{ index: event.index, id: event.callId, type: 'function', function: { name: event.name, arguments: '' } }] }));
      case 'tool_call_args':
        return this.frame(this.withRole({ tool_calls: [{ index: event.index, function: { arguments: event.delta } }] }));
      case 'finish':
        this.finishReason = event.reason;
        return '';
      case 'usage':
        this.usage = event;
        return '';
      case 'error':
        return chatStreamErrorFrame(event.code, event.message);
    }
  }

  /** Closing frames: the finish chunk, the usage chunk when asked for, and [DONE]. */
  finish(): string {
    const reason = this.finishReason ?? (this.sawToolCall ? 'tool_calls' : 'stop');
    let out = this.frame(this.roleSent ? {} : this.withRole({ content: '' }), reason);
    if (this.options.includeUsage && this.usage) {
      const chunk = {
        id: this.options.id,
        object: 'chat.completion.chunk',
        created: this.options.created,
        model: this.options.model,
        choices: [],
        usage: chatUsage(this.usage.usage),
      };
      out += `data: ${JSON.stringify(chunk)}\n\n`;
    }
    return out + 'data: [DONE]\n\n';
  }
}

/** The frame that ends a chat stream when the upstream fails after the first byte. */
export function chatStreamErrorFrame(code: string, message: string): string {
  return `data: ${JSON.stringify({ error: { message, type: 'upstream_error', code, param: null } })}\n\n`;
}
