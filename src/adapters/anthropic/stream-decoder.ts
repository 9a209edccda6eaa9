// Anthropic Messages streams → neutral stream events, for clients of other formats served by an
// Anthropic channel: a decoder for the named-event stream (message_start, content_block_*,
// message_delta, message_stop, error).
import type { StreamEvent } from '../stream-events.ts';
import { mergeAnthropicUsage } from './usage.ts';
import { finishOfStopReason } from './finish.ts';

export class AnthropicUpstreamDecoder {
  done = false;
  /** Content block index → tool call index (tool calls are numbered from 0 among tool_use blocks only). */
  private readonly calls = new Map<number, number>();
  private startUsage: any;

  /** One SSE event (name and data) in, neutral events out. */
  decode(name: string | undefined, data: string): StreamEvent[] {
    let event: any;
    try {
      event = JSON.parse(data);
    } catch {
      return [{ type: 'error', code: 'upstream_bad_stream', message: 'The upstream sent a stream event that is not JSON.' }];
    }
    switch (name ?? event?.type) {
      case 'message_start': {
        const message = event.message ?? {};
        this.startUsage = message.usage;
        return [{ type: 'start', id: String(message.id ?? ''), model: String(message.model ?? ''), created: Math.floor(Date.now() / 1000) }];
      }
      case 'content_block_start': {
        const block = event.content_block ?? {};
        if (block.type === 'tool_use' || block.type === 'server_tool_use') {
          const index = this.calls.size;
          this.calls.set(Number(event.index), index);
          const events: StreamEvent[] = [{ type: 'tool_call_start', index, callId: String(block.id ?? `toolu_${index}`), name: String(block.name ?? ''), custom: false }];
          // Some servers put the whole input in the start block instead of streaming it.
          if (block.input && typeof block.input === 'object' && Object.keys(block.input).length > 0) events.push({ type: 'tool_call_args', index, delta: JSON.stringify(block.input) });
          return events;
        }
        if (block.type === 'text' && block.text) return [{ type: 'text', delta: String(block.text) }];
        return [];
      }
      case 'content_block_delta': {
        const delta = event.delta ?? {};
        if (delta.type === 'text_delta' && delta.text) return [{ type: 'text', delta: String(delta.text) }];
        if (delta.type === 'thinking_delta' && delta.thinking) return [{ type: 'reasoning', delta: String(delta.thinking) }];
        if (delta.type === 'input_json_delta' && delta.partial_json) {
          const index = this.calls.get(Number(event.index));
          return index === undefined ? [] : [{ type: 'tool_call_args', index, delta: String(delta.partial_json) }];
        }
        return [];
      }
      case 'message_delta': {
        const events: StreamEvent[] = [];
        if (event.delta?.stop_reason) events.push({ type: 'finish', reason: finishOfStopReason(event.delta.stop_reason) });
        const usage = mergeAnthropicUsage(this.startUsage, event.usage);
        if (usage) events.push({ type: 'usage', usage });
        return events;
      }
      case 'message_stop':
        this.done = true;
        return [];
      case 'error': {
        const error = event.error ?? {};
        return [{ type: 'error', code: String(error.type ?? 'upstream_error'), message: String(error.message ?? 'The upstream reported an error.') }];
      }
      default:
        // ping and event types added later carry nothing to translate.
        return [];
    }
  }
}
