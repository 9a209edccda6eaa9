// Writing responses: JSON bodies, OpenAI-shaped errors (the one place GatewayErrors become HTTP),
// and SSE headers, each with the request id and the rate-limit headers of its admission. Every
// write goes through here so first-byte time is measured in one place.
import type { ServerResponse } from 'node:http';
import { toGatewayError } from '../errors.ts';
import { markFirstByte, type RequestContext } from './context.ts';

export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  markFirstByte(ctx);
  ctx.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': ctx.id,
    ...ctx.admission?.headers,
    ...headers,
  });
  ctx.res.end(payload);
}

export function sendError(ctx: RequestContext, err: unknown): void {
  const error = toGatewayError(err);
  ctx.errorCode = error.code ?? error.type;
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  const body: Record<string, unknown> = { ...error.toBody() };
  // On Anthropic's endpoints the same body also reads as Anthropic's envelope: `{"type":"error","error":{type, message}}`.
  if (ANTHROPIC_ENDPOINT.test(ctx.endpoint)) body.type = 'error';
  sendJson(ctx, error.status, body, error.headers);
}

const ANTHROPIC_ENDPOINT = /^(?:\/compact)?\/v1\/messages(?:\/|$)/;

export function startEventStream(ctx: RequestContext, status = 200, headers: Record<string, string> = {}): ServerResponse {
  markFirstByte(ctx);
  ctx.res.writeHead(status, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': ctx.id,
    ...ctx.admission?.headers,
    ...headers,
  });
  ctx.res.flushHeaders();
  return ctx.res;
}
