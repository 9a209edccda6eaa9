// Relays an upstream answer to a client that speaks another wire format (OpenAI Chat, OpenAI
// Responses or Anthropic Messages, on either side): whole answers are converted at once, streams event by event (never buffered whole), with usage tapped on the way.
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { createParser } from 'eventsource-parser';
import type { RequestScope } from '../request/scope.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { badGateway } from '../errors.ts';
import { recordUsage, upstreamStatusError } from '../upstream/relay-response.ts';
import { ClientGoneError } from '../upstream/send.ts';
import { redactUpstreamMessage } from '../upstream/error-redaction.ts';
import { EventSizeGuard, readBoundedText, tooLargeError, UpstreamBodyTooLarge } from '../upstream/bounded-body.ts';
import type { StreamEvent } from './stream-events.ts';
import { ChatStreamDecoder, ChatStreamEncoder } from './chat-stream.ts';
import { ResponsesStreamDecoder, ResponsesStreamEncoder } from './responses-stream.ts';
import { chatCompletionToEvents, eventsToChatCompletion, eventsToResponse, responseToEvents } from './whole-response.ts';
import { AnthropicStreamEncoder, anthropicMessageId, eventsToAnthropicMessage } from './anthropic-stream.ts';
import { AnthropicUpstreamDecoder, anthropicMessageToEvents } from './anthropic-upstream-stream.ts';

export type WireFormat = 'chat' | 'responses' | 'anthropic';

export interface TranslationOptions {
  /** The upstream's wire format. */
  upstream: WireFormat;
  /** The client's wire format (default: the other of the two OpenAI formats). */
  client?: WireFormat;
  channel: ChannelRecord;
  /** Model name as the client asked for it (echoed back). */
  clientModel: string;
  /** Chat clients: whether they asked for the usage chunk. */
  includeUsage?: boolean;
  /** Responses clients: custom tool names to return as custom_tool_call. */
  customTools?: Set<string>;
  /** Fields echoed on the Responses object (instructions, tools…). */
  echo?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Anthropic clients: the relay's count of the request's input tokens, reported in `message_start`. */
  inputTokens?: number;
  /** Responses clients: called with a finished answer before its last bytes are written (to keep it for later turns). */
  onResponse?: (response: { id: string; status: string; output: unknown[] }) => Promise<void>;
  /** Most bytes of a whole answer (or of one streamed event) the relay holds. */
  bodyLimitBytes?: number;
}

const now = () => Math.floor(Date.now() / 1000);
const chatId = () => `chatcmpl-${randomBytes(12).toString('hex')}`;
const responseId = () => `resp_${randomBytes(12).toString('hex')}`;

interface EventSink {
  write(event: StreamEvent): string;
  finish(): string;
  /** Responses clients: the finished answer. */
  result?: () => { id: string; status: string; output: unknown[] };
}

const clientOf = (options: TranslationOptions): WireFormat => options.client ?? (options.upstream === 'chat' ? 'responses' : 'chat');

/** Reads one upstream wire stream as neutral events. */
interface EventSource {
  decode(event: string | undefined, data: string): StreamEvent[];
  readonly done: boolean;
}

function sourceFor(upstream: WireFormat): EventSource {
  if (upstream === 'chat') {
    const decoder = new ChatStreamDecoder();
    return { decode: (_event, data) => decoder.decode(data), get done() { return decoder.done; } };
  }
  return upstream === 'anthropic' ? new AnthropicUpstreamDecoder() : new ResponsesStreamDecoder();
}

/** A whole upstream answer as neutral events. */
function wholeAnswerEvents(upstream: WireFormat, parsed: unknown): StreamEvent[] {
  if (upstream === 'chat') return chatCompletionToEvents(parsed);
  return upstream === 'anthropic' ? anthropicMessageToEvents(parsed) : responseToEvents(parsed);
}

function sinkFor(options: TranslationOptions): EventSink {
  const client = clientOf(options);
  if (client === 'anthropic') {
    const encoder = new AnthropicStreamEncoder(anthropicMessageId(), options.clientModel, options.inputTokens);
    return { write: (e) => encoder.encode(e), finish: () => encoder.end() };
  }
  if (client === 'responses') {
    const encoder = new ResponsesStreamEncoder({ id: responseId(), model: options.clientModel, createdAt: now(), customTools: options.customTools, echo: options.echo });
    return { write: (e) => encoder.encode(e), finish: () => encoder.finish(), result: () => encoder.result() };
  }
  const encoder = new ChatStreamEncoder({ id: chatId(), model: options.clientModel, created: now(), includeUsage: options.includeUsage === true });
  return { write: (e) => encoder.encode(e), finish: () => encoder.finish() };
}

export async function relayTranslated(ctx: RequestScope, response: Dispatcher.ResponseData, options: TranslationOptions): Promise<void> {
  if (response.statusCode >= 400) throw await upstreamStatusError(options.channel, response);
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('text/event-stream')) return relayTranslatedStream(ctx, response, options);
  let parsed: any;
  try {
    parsed = JSON.parse(await readBoundedText(response.body, options.bodyLimitBytes));
  } catch (err) {
    if (ctx.abort.signal.aborted) throw new ClientGoneError();
    if (err instanceof UpstreamBodyTooLarge) throw tooLargeError(options.channel.name, err);
    throw badGateway(`Upstream channel "${options.channel.name}" answered with a body that is not JSON.`, 'upstream_bad_response', err);
  }
  let body: unknown;
  try {
    const events = wholeAnswerEvents(options.upstream, parsed);
    for (const e of events) if (e.type === 'usage') recordUsage(ctx, e.usage);
    const client = clientOf(options);
    body = client === 'anthropic'
      ? eventsToAnthropicMessage(events, anthropicMessageId(), options.clientModel)
      : client === 'responses'
        ? eventsToResponse(events, { id: responseId(), model: options.clientModel, createdAt: now(), customTools: options.customTools, echo: options.echo })
        : eventsToChatCompletion(events, { id: chatId(), model: options.clientModel, created: now() });
  } catch (err) {
    // An answer that is JSON but not the shape its API promises is the upstream's fault, not a relay 500.
    throw badGateway(`Upstream channel "${options.channel.name}" answered with a body its API does not allow.`, 'upstream_bad_response', err);
  }
  if (clientOf(options) === 'responses' && options.onResponse) await keep(options.onResponse, body as { id: string; status: string; output: unknown[] });
  ctx.sink.sendJson(200, body, options.headers);
}

async function relayTranslatedStream(ctx: RequestScope, response: Dispatcher.ResponseData, options: TranslationOptions): Promise<void> {
  ctx.streamed = true;
  const out = ctx.sink.startEventStream(200, options.headers);
  const sink = sinkFor(options);
  const source = sourceFor(options.upstream);
  let pending = '';
  let failed = false;
  const sizes = new EventSizeGuard(options.bodyLimitBytes);
  const parser = createParser({
    onEvent(message) {
      sizes.eventSeen();
      const events = source.decode(message.event, message.data);
      for (const e of events) {
        if (e.type === 'usage') recordUsage(ctx, e.usage);
        if (e.type === 'error') {
          failed = true;
          ctx.errorCode = e.code;
          e.message = redactUpstreamMessage(e.message, options.channel);
        }
        pending += sink.write(e);
      }
    },
  });
  const decoder = new TextDecoder();
  try {
    if (clientOf(options) !== 'chat') out.write(sink.write({ type: 'start', id: '', model: options.clientModel, created: now() }));
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      sizes.fed((chunk as Buffer).length);
      if (pending) {
        const text = pending;
        pending = '';
        if (!out.write(text)) await out.drained();
      }
    }
  } catch (err) {
    if (ctx.abort.signal.aborted) return;
    ctx.errorCode = 'upstream_stream_error';
    out.end(pending + sink.write({ type: 'error', code: 'upstream_stream_error', message: `Upstream channel "${options.channel.name}" broke off the stream: ${(err as Error).message}` }));
    return;
  }
  const complete = source.done;
  if (failed) {
    out.end(pending);
    return;
  }
  if (!complete) {
    ctx.errorCode = 'stream_truncated';
    out.end(pending + sink.write({ type: 'error', code: 'stream_truncated', message: `Upstream channel "${options.channel.name}" ended the stream before it was complete.` }));
    return;
  }
  const tail = sink.finish();
  if (options.onResponse && sink.result) await keep(options.onResponse, sink.result());
  ctx.completed = true;
  out.end(pending + tail);
}

/** Keeping an answer for later turns never fails the answer itself: a later reference to it is a clear 400. */
async function keep(onResponse: NonNullable<TranslationOptions['onResponse']>, response: { id: string; status: string; output: unknown[] }): Promise<void> {
  await onResponse(response).catch(() => undefined);
}
