// Which outside services a suite needs, and what to do when one is absent: on a developer's fresh
// clone the suite is skipped with the reason printed; under CI=true nothing may be skipped, so the
// suite runs and fails loudly instead.
import { connect } from 'node:net';

const CI = process.env.CI === 'true' || process.env.CI === '1';

/** Resolves true when something accepts TCP connections on host:port within the timeout. */
export function reachable(url: string, defaultPort: number, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The `skip` option for a suite: false when every requirement is met (or under CI, where a missing
 * service must fail the run), else a sentence naming what is missing and how to provide it.
 */
export function skipUnless(missing: string[]): false | string {
  if (missing.length === 0 || CI) return false;
  return `skipped: ${missing.join('; ')} (CI=true runs it and fails instead)`;
}

/** Skips a test whose requirement turned out missing while it ran (a CLI that npm could not install); under CI it fails instead. */
export function skipOrFail(t: { skip(message?: string): void }, reason: string): void {
  if (CI) throw new Error(`${reason} (CI=true: nothing may be skipped)`);
  t.skip(reason);
}
