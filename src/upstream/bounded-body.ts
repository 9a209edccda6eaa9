// Reads an upstream answer the relay must hold whole (a JSON body, an error body) without ever
// holding more than a configured number of bytes: past the limit the upstream connection is cut
// and the client gets a clear 502, so one huge answer cannot exhaust the relay's memory.
import type { Dispatcher } from 'undici';
import { badGateway } from '../errors.ts';

/** Default for `upstreamBodyLimitBytes`. */
export const DEFAULT_UPSTREAM_BODY_LIMIT = 32 * 1024 * 1024;

export class UpstreamBodyTooLarge extends Error {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(`upstream answer larger than ${limitBytes} bytes`);
    this.name = 'UpstreamBodyTooLarge';
    this.limitBytes = limitBytes;
  }
}

/** The body as text, up to `limitBytes`; throws UpstreamBodyTooLarge (after cutting the connection) beyond. */
export async function readBoundedText(body: Dispatcher.ResponseData['body'], limitBytes = DEFAULT_UPSTREAM_BODY_LIMIT): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) {
      body.destroy();
      throw new UpstreamBodyTooLarge(limitBytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** The first `maxBytes` of a body (an error message), the rest discarded unread. */
export async function readBodyPrefix(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= maxBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks, size).subarray(0, maxBytes).toString('utf8');
}

/** The 502 a client gets for an oversized answer from `channel`. */
export function tooLargeError(channel: string, err: UpstreamBodyTooLarge) {
  return badGateway(`Upstream channel "${channel}" answered with more than ${err.limitBytes} bytes, the relay's limit (upstreamBodyLimitBytes).`, 'upstream_response_too_large', err);
}

/**
 * Counts the bytes of an event stream fed since its last complete event, so that one endless event
 * (which the SSE parser would buffer whole) is cut off. Undercounts by at most one chunk.
 */
export class EventSizeGuard {
  private pending = 0;
  private sawEvent = false;
  private readonly limitBytes: number;

  constructor(limitBytes = DEFAULT_UPSTREAM_BODY_LIMIT) {
    this.limitBytes = limitBytes;
  }

  /** Call on every parsed event. */
  eventSeen(): void {
    this.sawEvent = true;
  }

  /** Call after feeding each chunk to the parser; throws UpstreamBodyTooLarge when one event outgrows the limit. */
  fed(bytes: number): void {
    this.pending = this.sawEvent ? 0 : this.pending + bytes;
    this.sawEvent = false;
    if (this.pending > this.limitBytes) throw new UpstreamBodyTooLarge(this.limitBytes);
  }
}
