// Relays an upstream answer in the client's own wire format: JSON bodies whole, SSE streams
// forwarded chunk by chunk as they arrive while usage is tapped; upstream errors mapped once.
import type { Dispatcher } from 'undici';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { badGateway, GatewayError } from '../errors.ts';
import type { RequestScope } from '../request/scope.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import type { Usage } from '../conversation/model.ts';
import { readUpstreamError, ClientGoneError } from './send.ts';
import { redactCredentials, redactUpstreamMessage, safeRetryAfter } from './error-redaction.ts';
import { EventSizeGuard, readBoundedText, tooLargeError, UpstreamBodyTooLarge } from './bounded-body.ts';
import { usageObjectText } from './usage-tap.ts';
import { adapterFor, type WireFormat } from '../adapters/registry.ts';

export interface RelayOptions {
  format: WireFormat;
  channel: ChannelRecord;
  /** The relay asked the upstream for a usage chunk the client did not ask for: hide it. */
  hideUsageChunk?: boolean;
  /** Extra headers for the client response. */
  headers?: Record<string, string>;
  /** Called with each encrypted blob (compaction, reasoning) the upstream mints in its answer (Responses). */
  onEncryptedContent?: (blob: string) => void;
  /** Most bytes of a whole answer (or of one streamed event) the relay holds (`upstreamBodyLimitBytes`). */
  bodyLimitBytes?: number;
}

export function recordUsage(ctx: RequestScope, usage: Usage | undefined): void {
  if (!usage) return;
  ctx.usage = {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cached_tokens: usage.cachedTokens,
    reasoning_tokens: usage.reasoningTokens,
  };
}

function firstNonBlank(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) if (text[i] !== ' ' && text[i] !== '\n' && text[i] !== '\r' && text[i] !== '\t') return text[i];
  return undefined;
}

/**
 * 401/403 from an upstream refuse the relay's own channel key (the client's never reaches it): a
 * 502 naming the channel, not the client's `invalid_api_key`; the upstream's text is not echoed.
 */
export function channelAuthError(channel: ChannelRecord, status: number): GatewayError {
  return badGateway(`Upstream channel "${channel.name}" refused the relay's credentials (${status}); the operator must fix this channel's API key.`, 'upstream_auth_failed');
}

/** Turns a non-2xx upstream answer into the client's error (message redacted): 4xx passed on (but 401/403, the channel's fault), 5xx as a 502. */
export async function upstreamStatusError(channel: ChannelRecord, response: Dispatcher.ResponseData): Promise<GatewayError> {
  const read = await readUpstreamError(response.body);
  const message = redactUpstreamMessage(read.message, channel);
  const parsed = read.parsed;
  const status = response.statusCode;
  if (status === 401 || status === 403) return channelAuthError(channel, status);
  if (status >= 400 && status < 500) {
    const e = parsed?.error ?? {};
    const headers: Record<string, string> = {};
    const retryAfter = safeRetryAfter(response.headers['retry-after']);
    if (retryAfter) headers['retry-after'] = retryAfter;
    return new GatewayError(status, typeof e.type === 'string' ? e.type : 'invalid_request_error', typeof e.code === 'string' ? e.code : null, message, {
      param: typeof e.param === 'string' ? e.param : null,
      headers,
    });
  }
  return badGateway(`Upstream channel "${channel.name}" failed with status ${status}: ${message}`, 'upstream_error');
}

function isEventStream(response: Dispatcher.ResponseData): boolean {
  const type = response.headers['content-type'];
  return typeof type === 'string' && type.includes('text/event-stream');
}

export async function relayUpstreamResponse(ctx: RequestScope, response: Dispatcher.ResponseData, options: RelayOptions): Promise<void> {
  if (response.statusCode >= 400) throw await upstreamStatusError(options.channel, response);
  if (isEventStream(response)) return relayEventStream(ctx, response, options);
  let text: string;
  try {
    text = await readBoundedText(response.body, options.bodyLimitBytes);
  } catch (err) {
    if (ctx.abort.signal.aborted) throw new ClientGoneError();
    if (err instanceof UpstreamBodyTooLarge) throw tooLargeError(options.channel.name, err);
    throw badGateway(`Upstream channel "${options.channel.name}" broke off its answer.`, 'upstream_error', err);
  }
  // The whole body is parsed only when something beyond usage must be read from it; otherwise the
  // usage object alone is cut out and parsed (most of an answer is content the relay passes on).
  const adapter = adapterFor(options.format);
  const needsWhole = options.onEncryptedContent !== undefined && text.includes('"encrypted_content"');
  const usageText = needsWhole ? undefined : usageObjectText(text);
  let usage: unknown;
  let parsed: any;
  try {
    if (usageText !== undefined && firstNonBlank(text) === '{') usage = JSON.parse(usageText);
    else {
      parsed = JSON.parse(text);
      usage = parsed?.usage;
    }
  } catch {
    throw badGateway(`Upstream channel "${options.channel.name}" answered with a body that is not JSON.`, 'upstream_bad_response');
  }
  recordUsage(ctx, adapter.usageOf(usage));
  if (parsed && options.onEncryptedContent) for (const blob of adapter.encryptedContentsOf(parsed)) options.onEncryptedContent(blob);
  ctx.sink.sendJson(response.statusCode, text, options.headers);
}

async function relayEventStream(ctx: RequestScope, response: Dispatcher.ResponseData, options: RelayOptions): Promise<void> {
  ctx.streamed = true;
  const out = ctx.sink.startEventStream(response.statusCode, options.headers);
  const rewrite = options.hideUsageChunk === true;
  let finished = false;
  const adapter = adapterFor(options.format);
  const tap = adapter.streamTap({ hideUsageReport: rewrite, encryptedContents: options.onEncryptedContent !== undefined });
  const sizes = new EventSizeGuard(options.bodyLimitBytes);
  // Once the upstream sends an error event, the rest of the stream is passed on as redacted text.
  let redacting = false;
  const onEvent = (event: EventSourceMessage) => {
    sizes.eventSeen();
    const isError = tap.isError(event.event, event.data);
    if (isError) redacting = true;
    const data = isError ? redactCredentials(event.data, options.channel) : event.data;
    const reading = tap.read(event.event, data);
    if (reading.usage) recordUsage(ctx, reading.usage);
    for (const blob of reading.encryptedContents ?? []) options.onEncryptedContent?.(blob);
    if (reading.complete) finished = ctx.completed = true;
    if (reading.failed) {
      finished = true;
      ctx.errorCode = 'upstream_stream_error';
    }
    if (rewrite && !reading.hiddenUsageReport) out.write(`data: ${data}\n\n`);
  };
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      parser.feed(text);
      sizes.fed((chunk as Buffer).length);
      if (!rewrite && !out.write(redacting ? redactCredentials(text, options.channel) : chunk)) await out.drained();
    }
  } catch (err) {
    if (ctx.abort.signal.aborted) return;
    ctx.errorCode = 'upstream_stream_error';
    out.end(adapter.streamErrorFrame('upstream_stream_error', `Upstream channel "${options.channel.name}" broke off the stream: ${(err as Error).message}`, tap.nextSequence));
    return;
  }
  if (!finished) {
    ctx.errorCode = 'stream_truncated';
    out.write(adapter.streamErrorFrame('stream_truncated', `Upstream channel "${options.channel.name}" ended the stream before it was complete.`, tap.nextSequence));
  }
  out.end();
}
