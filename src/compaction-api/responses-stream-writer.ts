// Writes a Responses API event stream in the exact framing clients (the openai SDK, Codex) read:
// `event:` + `data:` frames with increasing sequence numbers, from created to completed.
import type { EventStream } from '../request/response-sink.ts';

export interface ResponseEnvelope {
  id: string;
  model: string;
  createdAt: number;
}

export class ResponsesStreamWriter {
  private sequence = 0;
  private readonly out: EventStream;
  private readonly envelope: ResponseEnvelope;

  constructor(out: EventStream, envelope: ResponseEnvelope) {
    this.out = out;
    this.envelope = envelope;
  }

  /** The `response` object as it stands, for created/in_progress/completed events. */
  responseObject(status: string, output: unknown[], usage?: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: this.envelope.id,
      object: 'response',
      created_at: this.envelope.createdAt,
      status,
      model: this.envelope.model,
      output,
      usage: usage ?? null,
      ...extra,
    };
  }

  event(type: string, payload: Record<string, unknown>): void {
    const data = JSON.stringify({ type, sequence_number: this.sequence++, ...payload });
    this.out.write(`event: ${type}\ndata: ${data}\n\n`);
  }

  started(): void {
    this.event('response.created', { response: this.responseObject('in_progress', []) });
    this.event('response.in_progress', { response: this.responseObject('in_progress', []) });
  }

  itemAdded(outputIndex: number, item: unknown): void {
    this.event('response.output_item.added', { output_index: outputIndex, item });
  }

  itemDone(outputIndex: number, item: unknown): void {
    this.event('response.output_item.done', { output_index: outputIndex, item });
  }

  completed(output: unknown[], usage: unknown): void {
    this.event('response.completed', { response: this.responseObject('completed', output, usage) });
  }

  failed(code: string, message: string): void {
    this.event('response.failed', { response: this.responseObject('failed', [], null, { error: { code, message } }) });
  }
}
