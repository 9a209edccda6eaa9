// Sends one request to a channel over the shared undici pool, and turns transport failures into
// gateway errors: 504 when the upstream does not answer in time, 502 when it cannot be reached.
import { errors as undiciErrors, request, type Agent, type Dispatcher } from 'undici';
import { badGateway, gatewayTimeout, GatewayError } from '../errors.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { channelAuthHeaders } from './channel-auth.ts';
import { readBodyPrefix } from './bounded-body.ts';

export interface UpstreamCall {
  channel: ChannelRecord;
  /** Path below the channel's base URL, e.g. "/chat/completions". */
  path: string;
  method?: 'GET' | 'POST';
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
}

export function channelUrl(channel: ChannelRecord, path: string): string {
  return channel.baseUrl.replace(/\/+$/, '') + path;
}

/** Thrown when the client went away and the upstream call was aborted on its behalf. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}

export async function sendUpstream(agent: Agent, call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    ...call.headers,
  };
  Object.assign(headers, channelAuthHeaders(call.channel, headers));
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await request(channelUrl(call.channel, call.path), {
      method: call.method ?? 'POST',
      headers,
      body: call.body,
      dispatcher: agent,
      signal: call.signal,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
  } catch (err) {
    throw upstreamTransportError(call.channel, err, call.signal);
  }
}

export function upstreamTransportError(channel: ChannelRecord, err: unknown, signal?: AbortSignal): Error {
  if (signal?.aborted) return new ClientGoneError();
  if (err instanceof GatewayError) return err;
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return gatewayTimeout(`Upstream channel "${channel.name}" did not answer in time.`);
  }
  const code = (err as { code?: string })?.code;
  return badGateway(`Upstream channel "${channel.name}" could not be reached${code ? ` (${code})` : ''}.`, 'upstream_unreachable', err);
}

/** The most of an upstream error body the relay reads; the rest is discarded unread. */
const ERROR_BODY_MAX = 64 * 1024;

/** Reads an upstream error body (bounded) and extracts its OpenAI-style message. */
export async function readUpstreamError(body: Dispatcher.ResponseData['body']): Promise<{ raw: string; message: string; parsed?: any }> {
  let raw: string;
  try {
    raw = await readBodyPrefix(body, ERROR_BODY_MAX);
  } catch {
    raw = '';
  }
  try {
    const parsed = JSON.parse(raw);
    const message = parsed?.error?.message ?? parsed?.message ?? raw;
    return { raw, message: typeof message === 'string' ? message : JSON.stringify(message), parsed };
  } catch {
    return { raw, message: raw.trim() || 'no error message' };
  }
}
