// Relays an upstream answer in the client's own wire format: JSON bodies whole, SSE streams
// forwarded chunk by chunk as they arrive while usage is tapped; upstream errors mapped once.
import type { Dispatcher } from 'undici';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { badGateway, GatewayError } from '../errors.ts';
import type { RequestContext } from '../http/context.ts';
import { sendJson, startEventStream } from '../http/respond.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import type { Usage } from '../conversation/model.ts';
import { readUpstreamError, ClientGoneError } from './send.ts';
import { redactCredentials, redactUpstreamMessage, safeRetryAfter } from './error-redaction.ts';
import { EventSizeGuard, readBoundedText, tooLargeError, UpstreamBodyTooLarge } from './bounded-body.ts';
import { isUsageOnlyChatChunk, usageFromChatEvent, usageFromResponsesEvent, usageObjectText } from './usage-tap.ts';
import { mergeAnthropicUsage } from '../adapters/anthropic/usage.ts';
import { adapterFor, type WireFormat } from '../adapters/registry.ts';

export interface RelayOptions {
  format: WireFormat;
  channel: ChannelRecord;
  /** The relay asked the upstream for a usage chunk the client did not ask for: hide it. */
  hideUsageChunk?: boolean;
  /** Extra headers for the client response. */
  headers?: Record<string, string>;
  /** Called with each encrypted blob (compaction, reasoning) the upstream mints in its answer. */
  onEncryptedContent?: (blob: string) => void;
  /** Most bytes of a whole answer (or of one streamed event) the relay holds (`upstreamBodyLimitBytes`). */
  bodyLimitBytes?: number;
}

/** Encrypted contents of the items in a Responses `output` array (or one item). */
export function encryptedContentsOf(items: unknown): string[] {
  const list = Array.isArray(items) ? items : [items];
  const out: string[] = [];
  for (const item of list) {
    const blob = (item as { encrypted_content?: unknown } | null)?.encrypted_content;
    if (typeof blob === 'string' && blob) out.push(blob);
  }
  return out;
}

export function recordUsage(ctx: RequestContext, usage: Usage | undefined): void {
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

export async function relayUpstreamResponse(ctx: RequestContext, response: Dispatcher.ResponseData, options: RelayOptions): Promise<void> {
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
  const needsWhole = options.onEncryptedContent !== undefined && options.format === 'responses' && text.includes('"encrypted_content"');
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
  recordUsage(ctx, adapterFor(options.format).usageOf(usage));
  if (parsed && options.onEncryptedContent && options.format === 'responses') for (const blob of encryptedContentsOf(parsed?.output)) options.onEncryptedContent(blob);
  sendJson(ctx, response.statusCode, text, options.headers);
}

async function relayEventStream(ctx: RequestContext, response: Dispatcher.ResponseData, options: RelayOptions): Promise<void> {
  ctx.streamed = true;
  const out = startEventStream(ctx, response.statusCode, options.headers);
  const rewrite = options.hideUsageChunk === true;
  let finished = false;
  let anthropicStartUsage: unknown;
  /** The next Responses sequence number, for an error event the relay appends. */
  let nextSequence = 0;
  const sizes = new EventSizeGuard(options.bodyLimitBytes);
  // Once the upstream sends an error event, the rest of the stream is passed on as redacted text.
  let redacting = false;
  const onEvent = (event: EventSourceMessage) => {
    sizes.eventSeen();
    const isError = event.event === 'error' || event.event === 'response.failed' || (options.format === 'chat' && event.data.includes('"error":{'));
    if (isError) redacting = true;
    const data = isError ? redactCredentials(event.data, options.channel) : event.data;
    if (options.format === 'anthropic') {
      // Usage arrives in two halves: input in message_start, the final output count in message_delta.
      if (event.event === 'message_start' || event.event === 'message_delta') {
        try {
          const parsed = JSON.parse(data);
          if (event.event === 'message_start') anthropicStartUsage = parsed.message?.usage;
          recordUsage(ctx, mergeAnthropicUsage(anthropicStartUsage, event.event === 'message_delta' ? parsed.usage : undefined));
        } catch {
          // a malformed event carries no usage
        }
      } else if (event.event === 'message_stop') finished = ctx.completed = true;
      else if (event.event === 'error') {
        finished = true;
        ctx.errorCode = 'upstream_stream_error';
      }
    } else if (options.format === 'chat') {
      if (data === '[DONE]') finished = ctx.completed = true;
      else {
        const usage = usageFromChatEvent(data);
        if (usage) recordUsage(ctx, usage);
        if (rewrite && usage && isUsageOnlyChatChunk(data)) return;
      }
      if (rewrite) out.write(`data: ${data}\n\n`);
    } else {
      const sequence = SEQUENCE.exec(data);
      if (sequence) nextSequence = Number(sequence[1]) + 1;
      const usage = usageFromResponsesEvent(event.event, data);
      if (usage) recordUsage(ctx, usage);
      if (options.onEncryptedContent && event.event === 'response.output_item.done' && data.includes('"encrypted_content"')) {
        try {
          for (const blob of encryptedContentsOf(JSON.parse(data).item)) options.onEncryptedContent(blob);
        } catch {
          // a malformed event carries nothing to remember
        }
      }
      if (event.event === 'response.completed' || event.event === 'response.incomplete' || event.event === 'response.failed' || data.includes('"type":"response.completed"')) finished = ctx.completed = true;
    }
  };
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      parser.feed(text);
      sizes.fed((chunk as Buffer).length);
      if (!rewrite && !out.write(redacting ? redactCredentials(text, options.channel) : chunk)) await waitForDrain(out, ctx);
    }
  } catch (err) {
    if (ctx.abort.signal.aborted) return;
    ctx.errorCode = 'upstream_stream_error';
    out.end(adapterFor(options.format).streamErrorFrame('upstream_stream_error', `Upstream channel "${options.channel.name}" broke off the stream: ${(err as Error).message}`, nextSequence));
    return;
  }
  if (!finished) {
    ctx.errorCode = 'stream_truncated';
    out.write(adapterFor(options.format).streamErrorFrame('stream_truncated', `Upstream channel "${options.channel.name}" ended the stream before it was complete.`, nextSequence));
  }
  out.end();
}

const SEQUENCE = /"sequence_number":\s*(\d+)/;

function waitForDrain(out: NodeJS.WritableStream, ctx: RequestContext): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      ctx.abort.signal.removeEventListener('abort', done);
      resolve();
    };
    out.on('drain', done);
    ctx.abort.signal.addEventListener('abort', done);
  });
}
