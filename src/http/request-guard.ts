// Last-resort guards on the request path, so that nothing a client or an upstream sends can take
// the process down: per-request bookkeeping that throws is logged and skipped, a handler that
// fails answers its own request with an OpenAI-shaped error (or is cut off if it already started
// answering), and stray socket errors on the request and response are absorbed.
import type { Logger } from 'pino';
import type { RequestContext } from './context.ts';
import { sendError } from './respond.ts';
import { toGatewayError } from '../errors.ts';

/** Logs without ever throwing (a logger that fails must not fail the request either). */
export function logSafely(logger: Logger, level: 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
  try {
    logger[level](fields, message);
  } catch {
    // the log line is lost; the request goes on
  }
}

/** Runs a piece of bookkeeping (usage row, metrics, access log); if it throws, logs and carries on. */
export function safely(logger: Logger, what: string, requestId: string, work: () => void): void {
  try {
    work();
  } catch (err) {
    logSafely(logger, 'error', { requestId, err }, `${what} failed; the request is unaffected`);
  }
}

/** Socket errors after the request was read (client resets, writes after a close) end that request only. */
export function absorbStreamErrors(ctx: RequestContext, logger: Logger): void {
  const absorb = (err: Error) => {
    if (!ctx.abort.signal.aborted) ctx.abort.abort();
    if ((err as { code?: string }).code !== 'ECONNRESET') logSafely(logger, 'warn', { requestId: ctx.id, err }, 'connection error');
  };
  ctx.req.on('error', absorb);
  ctx.res.on('error', absorb);
}

/** Answers a failed request with its error; if even that fails, closes its connection. */
export function answerFailure(ctx: RequestContext, logger: Logger, err: unknown): void {
  try {
    const error = toGatewayError(err);
    if (error.status >= 500) logSafely(logger, 'warn', { requestId: ctx.id, status: error.status, code: error.code, err: error.cause ?? undefined }, error.message);
    if (ctx.req.readable) ctx.req.resume();
    sendError(ctx, error);
  } catch (failure) {
    logSafely(logger, 'error', { requestId: ctx.id, err: failure }, 'could not send the error answer; closing the connection');
    ctx.res.destroy();
  }
}
