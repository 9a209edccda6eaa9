// Writing responses from the HTTP layer: JSON bodies and OpenAI-shaped errors (the one place
// GatewayErrors become HTTP), through the request's sink (http/response-sink.ts), which adds the
// request id and the rate-limit headers of its admission and measures first-byte time.
import { toGatewayError } from '../errors.ts';
import type { RequestContext } from './context.ts';

export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.sink.sendJson(status, body, headers);
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
