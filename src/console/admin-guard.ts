// Admin-token checks with a brake on guessing: every wrong token is written to the audit log
// (address, reason; never the token), and an address with too many wrong tokens in the window is
// refused (429 with retry-after) until the window ends, right token or not, so a guess cannot be
// confirmed while blocked. Counted in shared state, so the brake holds across instances.
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestContext } from '../http/context.ts';
import type { ServerDeps } from '../http/server.ts';
import { GatewayError, rateLimited } from '../errors.ts';
import type { AdminIdentity, AdminAuth } from './admin-auth.ts';
import type { AdminStore } from '../store/admin-store.ts';

/** Wrong admin tokens allowed per address per window. */
export const ADMIN_FAILURES_ALLOWED = 10;
export const ADMIN_FAILURE_WINDOW_SEC = 15 * 60;


function isRejection(value: unknown): value is RateLimiterRes {
  return !!value && typeof value === 'object' && 'msBeforeNext' in value;
}

/** The caller's admin identity, or a 401 (audited) / 429 (throttled). */
export async function verifyAdmin(auth: AdminAuth, store: AdminStore, ctx: RequestContext, deps: ServerDeps): Promise<AdminIdentity> {
  const state = deps.state;
  const limiter = state.limiter('admin-auth-failures', ADMIN_FAILURES_ALLOWED, ADMIN_FAILURE_WINDOW_SEC);
  const address = ctx.req.socket.remoteAddress ?? 'unknown';
  const seen = await limiter.get(address);
  if (seen && seen.consumedPoints >= ADMIN_FAILURES_ALLOWED) {
    throw rateLimited(`Too many wrong admin tokens from this address; try again in ${Math.ceil(seen.msBeforeNext / 1000)} s.`, seen.msBeforeNext / 1000, 'admin_auth_throttled');
  }
  try {
    return await auth.verify(ctx.req.headers);
  } catch (err) {
    // A missing token is not a guess (a browser opening the API); only wrong tokens count.
    if (!(err instanceof GatewayError) || err.code !== 'invalid_admin_token') throw err;
    let attempts: number;
    try {
      attempts = (await limiter.consume(address)).consumedPoints;
    } catch (rejection) {
      if (!isRejection(rejection)) throw rejection;
      attempts = rejection.consumedPoints;
    }
    // At most ADMIN_FAILURES_ALLOWED + 1 audit rows per address and window, however fast the guesses come.
    const entry = { actor: 'anonymous', targetType: 'admin', target: 'admin-token', remoteAddr: address };
    if (attempts <= ADMIN_FAILURES_ALLOWED) await store.recordAudit({ ...entry, action: 'admin.auth_failed', details: { reason: err.code, attempts } });
    if (attempts === ADMIN_FAILURES_ALLOWED) {
      await store.recordAudit({ ...entry, action: 'admin.auth_throttled', details: { windowSeconds: ADMIN_FAILURE_WINDOW_SEC } });
    }
    throw err;
  }
}
