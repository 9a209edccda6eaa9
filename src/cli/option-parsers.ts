// Parsers for numeric and time flags, run by commander as it reads each flag: a bad value stops
// the command with commander's own "option '--weight <n>' argument '-3' is invalid" plus why.
import { InvalidArgumentError } from 'commander';

/** An integer of at least `min` (1 by default: counts, limits, sizes). */
export function integerAtLeast(min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`It must be a whole number, got "${value}".`);
    if (n < min) throw new InvalidArgumentError(min === 1 ? `It must be 1 or more, got ${n}.` : `It must be ${min} or more, got ${n}.`);
    return n;
  };
}

/** Any integer (priorities may be negative). */
export function anyInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`It must be a whole number, got "${value}".`);
  return n;
}

/** A positive amount such as 12.5. */
export function positiveAmount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`It must be a positive amount, got "${value}".`);
  return n;
}

const DURATION = /^(\d+)(m|h|d)$/;
const DURATION_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO 8601 date or time (`2026-11-01`, `2026-11-01T08:00:00Z`) or a span back from now (`30m`, `24h`, `7d`), as an ISO timestamp. */
export function sinceTime(now: () => number = Date.now) {
  return (value: string): string => {
    const span = DURATION.exec(value.trim());
    if (span) return new Date(now() - Number(span[1]) * DURATION_MS[span[2] as keyof typeof DURATION_MS]).toISOString();
    const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim()) ? new Date(value.trim()) : undefined;
    if (!time || Number.isNaN(time.getTime())) throw new InvalidArgumentError(`It must be an ISO date or time (2026-11-01, 2026-11-01T08:00:00Z) or a span such as 30m, 24h or 7d; got "${value}".`);
    return time.toISOString();
  };
}
