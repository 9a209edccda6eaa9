// Responses streams ⇄ neutral stream events: a decoder for upstream Responses events and an
// encoder producing the full Responses event sequence (created … output items … completed).
import { randomBytes } from 'node:crypto';
import type { Usage } from '../../conversation/model.ts';
import { emptyUsage } from '../../conversation/model.ts';
import type { FinishReason, StreamEvent } from '../stream-events.ts';
import { responsesUsage, usageFromResponses } from './usage.ts';

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Responses has no finish reason: an `incomplete` answer was cut by length, one with calls wants their results. */
export const finishOfResponse = (incomplete: boolean, madeCalls: boolean): FinishReason => (incomplete ? 'length' : madeCalls ? 'tool_calls' : 'stop');

export class ResponsesStreamDecoder {
  private readonly callIndexByItem = new Map<string, number>();
  private readonly argsSeen = new Set<number>();
  private nextCall = 0;
  done = false;

  decode(eventName: string | undefined, data: string): StreamEvent[] {
    let event: any;
    try {
      event = JSON.parse(data);
    } catch {
      return [{ type: 'error', code: 'upstream_bad_stream', message: 'The upstream sent a stream event that is not JSON.' }];
    }
    const type = String(event?.type ?? eventName ?? '');
    switch (type) {
      case 'response.created': {
        const r = event.response ?? {};
        return [{ type: 'start', id: String(r.id ?? ''), model: String(r.model ?? ''), created: Number(r.created_at ?? Math.floor(Date.now() / 1000)) }];
      }
      case 'response.output_text.delta':
        return event.delta ? [{ type: 'text', delta: String(event.delta) }] : [];
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return event.delta ? [{ type: 'reasoning', delta: String(event.delta) }] : [];
      case 'response.output_item.added': {
        const item = event.item ?? {};
        if (item.type !== 'function_call' && item.type !== 'custom_tool_call') return [];
        const index = this.nextCall++;
        this.callIndexByItem.set(String(item.id ?? index), index);
        return [{ type: 'tool_call_start', index, callId: String(item.call_id ?? item.id ?? `call_${index}`), name: String(item.name ?? ''), custom: item.type === 'custom_tool_call' }];
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const index = this.callIndexByItem.get(String(event.item_id));
        if (index === undefined || !event.delta) return [];
        this.argsSeen.add(index);
        return [{ type: 'tool_call_args', index, delta: String(event.delta) }];
      }
      case 'response.output_item.done': {
        const item = event.item ?? {};
        const index = this.callIndexByItem.get(String(item.id));
        if (index === undefined || this.argsSeen.has(index)) return [];
        const args = item.type === 'custom_tool_call' ? item.input : item.arguments;
        return typeof args === 'string' && args ? [{ type: 'tool_call_args', index, delta: args }] : [];
      }
      case 'response.completed':
      case 'response.incomplete': {
        this.done = true;
        const events: StreamEvent[] = [];
        const usage = usageFromResponses(event.response?.usage);
        if (usage) events.push({ type: 'usage', usage });
        events.push({ type: 'finish', reason: finishOfResponse(type === 'response.incomplete', this.nextCall > 0) });
        return events;
      }
      case 'response.failed': {
        this.done = true;
        const err = event.response?.error ?? {};
        return [{ type: 'error', code: String(err.code ?? 'upstream_error'), message: String(err.message ?? 'The upstream response failed.') }];
      }
      case 'error':
        this.done = true;
        return [{ type: 'error', code: String(event.code ?? 'upstream_error'), message: String(event.message ?? 'upstream error') }];
      default:
        return [];
    }
  }
}

interface OpenItem {
  kind: 'message' | 'reasoning' | 'function_call' | 'custom_tool_call';
  outputIndex: number;
  id: string;
  text: string;
  callId?: string;
  name?: string;
}

export interface ResponsesStreamEncoderOptions {
  id: string;
  model: string;
  createdAt: number;
  /** Tool names the client declared as custom (free-form) tools: their calls become custom_tool_call. */
  customTools?: Set<string>;
  /** Fields echoed on the response object (instructions, tools, etc.). */
  echo?: Record<string, unknown>;
}

/** Neutral events → Responses SSE frames, keeping the finished output items for the final event. */
export class ResponsesStreamEncoder {
  private readonly options: ResponsesStreamEncoderOptions;
  private sequence = 0;
  private readonly output: unknown[] = [];
  private open: OpenItem | undefined;
  private readonly calls = new Map<number, OpenItem>();
  private usage: Usage = emptyUsage();
  private finishReason: FinishReason = 'stop';
  private started = false;

  constructor(options: ResponsesStreamEncoderOptions) {
    this.options = options;
  }

  private frame(type: string, payload: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...payload })}\n\n`;
  }

  responseObject(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: this.options.id,
      object: 'response',
      created_at: this.options.createdAt,
      status,
      model: this.options.model,
      output: status === 'in_progress' ? [] : this.output,
      usage: status === 'in_progress' ? null : responsesUsage(this.usage),
      ...this.options.echo,
      ...extra,
    };
  }

  /** The answer as finished (after `finish()`): its id, status and output items. */
  result(): { id: string; status: string; output: unknown[] } {
    return { id: this.options.id, status: this.finishReason === 'length' ? 'incomplete' : 'completed', output: this.output };
  }

  /** The opening frames; emitted once, before anything else. */
  start(): string {
    if (this.started) return '';
    this.started = true;
    return this.frame('response.created', { response: this.responseObject('in_progress') }) + this.frame('response.in_progress', { response: this.responseObject('in_progress') });
  }

  private openItem(kind: OpenItem['kind'], extra: Partial<OpenItem> = {}): string {
    let out = this.closeOpen();
    const prefix = kind === 'message' ? 'msg' : kind === 'reasoning' ? 'rs' : kind === 'function_call' ? 'fc' : 'ctc';
    const item: OpenItem = { kind, outputIndex: this.output.length, id: newId(prefix), text: '', ...extra };
    this.open = item;
    const base = { output_index: item.outputIndex };
    if (kind === 'message') {
      out += this.frame('response.output_item.added', { ...base, item: { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      out += this.frame('response.content_part.added', { ...base, item_id: item.id, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    } else if (kind === 'reasoning') {
      out += this.frame('response.output_item.added', { ...base, item: { id: item.id, type: 'reasoning', summary: [] } });
      out += this.frame('response.reasoning_summary_part.added', { ...base, item_id: item.id, summary_index: 0, part: { type: 'summary_text', text: '' } });
    } else if (kind === 'function_call') {
      out += this.frame('response.output_item.added', { ...base, item: { id: item.id, type: 'function_call', status: 'in_progress', call_id: item.callId, name: item.name, arguments: '' } });
    } else {
      out += this.frame('response.output_item.added', { ...base, item: { id: item.id, type: 'custom_tool_call', status: 'in_progress', call_id: item.callId, name: item.name, input: '' } });
    }
    return out;
  }

  /** Closes the open item: `completed`, or `incomplete` when the answer was cut (by length or by a failure). */
  private closeOpen(status: 'completed' | 'incomplete' = 'completed'): string {
    const item = this.open;
    if (!item) return '';
    this.open = undefined;
    const base = { output_index: item.outputIndex, item_id: item.id };
    let out = '';
    let done: Record<string, unknown>;
    if (item.kind === 'message') {
      const part = { type: 'output_text', text: item.text, annotations: [] };
      out += this.frame('response.output_text.done', { ...base, content_index: 0, text: item.text });
      out += this.frame('response.content_part.done', { ...base, content_index: 0, part });
      done = { id: item.id, type: 'message', status, role: 'assistant', content: [part] };
    } else if (item.kind === 'reasoning') {
      const part = { type: 'summary_text', text: item.text };
      out += this.frame('response.reasoning_summary_text.done', { ...base, summary_index: 0, text: item.text });
      out += this.frame('response.reasoning_summary_part.done', { ...base, summary_index: 0, part });
      done = { id: item.id, type: 'reasoning', summary: [part], ...(status === 'incomplete' ? { status } : {}) };
    } else if (item.kind === 'function_call') {
      out += this.frame('response.function_call_arguments.done', { ...base, arguments: item.text });
      done = { id: item.id, type: 'function_call', status, call_id: item.callId, name: item.name, arguments: item.text };
    } else {
      done = { id: item.id, type: 'custom_tool_call', status, call_id: item.callId, name: item.name, input: customInput(item.text) };
    }
    this.output.push(done);
    return out + this.frame('response.output_item.done', { output_index: item.outputIndex, item: done });
  }

  encode(event: StreamEvent): string {
    let out = this.start();
    switch (event.type) {
      case 'start':
        return out;
      case 'text':
        if (this.open?.kind !== 'message') out += this.openItem('message');
        this.open!.text += event.delta;
        return out + this.frame('response.output_text.delta', { output_index: this.open!.outputIndex, item_id: this.open!.id, content_index: 0, delta: event.delta });
      case 'reasoning':
        if (this.open?.kind !== 'reasoning') out += this.openItem('reasoning');
        this.open!.text += event.delta;
        return out + this.frame('response.reasoning_summary_text.delta', { output_index: this.open!.outputIndex, item_id: this.open!.id, summary_index: 0, delta: event.delta });
      case 'tool_call_start': {
        const custom = this.options.customTools?.has(event.name) ?? false;
        out += this.openItem(custom ? 'custom_tool_call' : 'function_call', { callId: event.callId, name: event.name });
        this.calls.set(event.index, this.open!);
        return out;
      }
      case 'tool_call_args': {
        const item = this.calls.get(event.index);
        if (!item) return out;
        item.text += event.delta;
        if (item.kind === 'custom_tool_call' || item !== this.open) return out;
        return out + this.frame('response.function_call_arguments.delta', { output_index: item.outputIndex, item_id: item.id, delta: event.delta });
      }
      case 'finish':
        this.finishReason = event.reason;
        return out;
      case 'usage':
        this.usage = event.usage;
        return out;
      case 'error':
        // Ends like a native failure: the cut item `incomplete`, the response `failed`, then an
        // `error` event (with its sequence number) that the SDKs raise.
        out += this.closeOpen('incomplete');
        out += this.frame('response.failed', { response: this.responseObject('failed', { error: { code: event.code, message: event.message } }) });
        return out + this.frame('error', { code: event.code, message: event.message, param: null });
    }
  }

  /** Closes open items and emits response.completed (or response.incomplete when cut by length). */
  finish(): string {
    let out = this.start() + this.closeOpen(this.finishReason === 'length' ? 'incomplete' : 'completed');
    if (this.finishReason === 'length') {
      out += this.frame('response.incomplete', { response: this.responseObject('incomplete', { incomplete_details: { reason: 'max_output_tokens' } }) });
    } else {
      out += this.frame('response.completed', { response: this.responseObject('completed') });
    }
    return out;
  }
}

/** A custom tool's free-form input, from the `{"input": "..."}` arguments a chat model produced. */
function customInput(args: string): string {
  try {
    const parsed = JSON.parse(args);
    if (parsed && typeof parsed.input === 'string') return parsed.input;
  } catch {
    // not JSON: the model wrote the input directly
  }
  return args;
}

/**
 * The error event that ends a Responses stream when the upstream fails after the first byte; it
 * carries the next `sequence_number`, as every Responses event must.
 */
export function responsesStreamErrorFrame(code: string, message: string, sequenceNumber = 0): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: sequenceNumber, code, message, param: null })}\n\n`;
}
