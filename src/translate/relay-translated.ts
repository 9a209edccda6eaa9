// Relays an upstream answer to a client that speaks another wire format (OpenAI Chat, OpenAI
// Responses or Anthropic Messages, on either side): whole answers are converted at once, streams event by event (never buffered whole), with usage tapped on the way.
import type { Dispatcher } from 'undici';
import { createParser } from 'eventsource-parser';
import type { RequestScope } from '../request/scope.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { badGateway } from '../errors.ts';
import { recordUsage, upstreamStatusError } from '../upstream/relay-response.ts';
import { ClientGoneError } from '../upstream/send.ts';
import { redactUpstreamMessage } from '../upstream/error-redaction.ts';
import { EventSizeGuard, readBoundedText, tooLargeError, UpstreamBodyTooLarge } from '../upstream/bounded-body.ts';
import { adapterFor, type WireFormat } from '../adapters/registry.ts';
import type { AnswerEncoder, KeptAnswer } from '../adapters/adapter.ts';

export interface TranslationOptions {
  /** The upstream's wire format: its adapter decodes the answer. */
  upstream: WireFormat;
  /** Encodes the answer in the client's wire format. */
  answer: AnswerEncoder;
  channel: ChannelRecord;
  headers?: Record<string, string>;
  /** Responses clients: called with a finished answer before its last bytes are written (to keep it for later turns). */
  onResponse?: (response: KeptAnswer) => Promise<void>;
  /** Most bytes of a whole answer (or of one streamed event) the relay holds. */
  bodyLimitBytes?: number;
}

const now = () => Math.floor(Date.now() / 1000);

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
    const events = adapterFor(options.upstream).decodeAnswer(parsed);
    for (const e of events) if (e.type === 'usage') recordUsage(ctx, e.usage);
    body = options.answer.whole(events);
  } catch (err) {
    // An answer that is JSON but not the shape its API promises is the upstream's fault, not a relay 500.
    throw badGateway(`Upstream channel "${options.channel.name}" answered with a body its API does not allow.`, 'upstream_bad_response', err);
  }
  if (options.onResponse) await keep(options.onResponse, body as unknown as KeptAnswer);
  ctx.sink.sendJson(200, body, options.headers);
}

async function relayTranslatedStream(ctx: RequestScope, response: Dispatcher.ResponseData, options: TranslationOptions): Promise<void> {
  ctx.streamed = true;
  const out = ctx.sink.startEventStream(200, options.headers);
  const sink = options.answer.stream();
  const source = adapterFor(options.upstream).streamDecoder();
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
        pending += sink.encode(e);
      }
    },
  });
  const decoder = new TextDecoder();
  try {
    const opening = sink.encode({ type: 'start', id: '', model: '', created: now() });
    if (opening) out.write(opening);
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
    out.end(pending + sink.encode({ type: 'error', code: 'upstream_stream_error', message: `Upstream channel "${options.channel.name}" broke off the stream: ${(err as Error).message}` }));
    return;
  }
  const complete = source.done;
  if (failed) {
    out.end(pending);
    return;
  }
  if (!complete) {
    ctx.errorCode = 'stream_truncated';
    out.end(pending + sink.encode({ type: 'error', code: 'stream_truncated', message: `Upstream channel "${options.channel.name}" ended the stream before it was complete.` }));
    return;
  }
  const tail = sink.finish();
  if (options.onResponse && sink.result) await keep(options.onResponse, sink.result());
  ctx.completed = true;
  out.end(pending + tail);
}

/** Keeping an answer for later turns never fails the answer itself: a later reference to it is a clear 400. */
async function keep(onResponse: NonNullable<TranslationOptions['onResponse']>, response: KeptAnswer): Promise<void> {
  await onResponse(response).catch(() => undefined);
}
