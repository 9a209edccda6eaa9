// Process-level handlers for errors that escaped every request guard: an unhandled rejection is
// logged and the relay keeps serving (nothing was left half-done by a throw); an uncaught exception
// is logged too, and only a burst of them (state may be corrupt) makes the relay drain and exit
// so that a supervisor restarts it, with queued usage rows flushed first.
import type { Logger } from 'pino';

export interface ProcessGuardOptions {
  /** Uncaught exceptions tolerated within `windowMs` before the relay shuts down (default 10 per minute). */
  maxUncaught?: number;
  windowMs?: number;
  /** Called once when the burst limit is reached: drain, flush, exit. */
  onFatal: (reason: unknown) => void;
}

export function installProcessGuards(logger: Logger, options: ProcessGuardOptions): () => void {
  const maxUncaught = options.maxUncaught ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  let recent: number[] = [];
  let fatal = false;
  const log = (fields: Record<string, unknown>, message: string) => {
    try {
      logger.error(fields, message);
    } catch {
      process.stderr.write(`${message}\n`);
    }
  };
  const onRejection = (reason: unknown) => log({ err: reason }, 'unhandled promise rejection (logged; the relay keeps serving)');
  const onException = (err: Error, origin: string) => {
    const now = Date.now();
    recent = recent.filter((t) => now - t < windowMs);
    recent.push(now);
    log({ err, origin, inLastWindow: recent.length }, 'uncaught exception (logged; the relay keeps serving)');
    if (recent.length >= maxUncaught && !fatal) {
      fatal = true;
      log({ count: recent.length, windowMs }, 'too many uncaught exceptions: draining and exiting so that the supervisor restarts the relay');
      options.onFatal(err);
    }
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
