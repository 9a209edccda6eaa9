// The one rule for token counts read from an upstream: a whole number from 0 to MAX_TOKEN_COUNT.
// Negative, fractional, non-finite or non-numeric values never reach limits, metrics or the store.

/** The largest token count one answer may report; a larger one is an upstream fault, recorded as this. */
export const MAX_TOKEN_COUNT = 100_000_000;

/** A token count as the relay records it. */
export const tokenCount = (value: unknown): number =>
  typeof value === 'number' && value > 0 ? (value >= MAX_TOKEN_COUNT ? MAX_TOKEN_COUNT : Math.round(value)) : 0;
