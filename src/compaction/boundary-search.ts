// Picks the retirement boundary without building a summary at every candidate: the tokens kept
// beside the summary come from prefix sums, and the summary (its ledger) is built only where the
// boundary would fit if the summary were as small as the last one built. The summary grows slowly
// with what it retires, so this lands on the first boundary that fits after two or three builds.

export interface BoundaryChoice<S> {
  boundary: number;
  summary: S;
  /** Tokens of the result with that summary. */
  tokens: number;
}

/** After this many builds the assumed summary size doubles each time, which bounds the builds by a logarithm. */
const EXACT_BUILDS = 4;

/**
 * The first of `candidates` (ascending) where `fits(boundary, tokens)` holds for the result's tokens:
 * `besideSummary(boundary)` (cheap, from prefix sums; never larger for a later boundary) plus the
 * summary's own tokens, which `build(boundary)` computes (costly: one pass over the history).
 * When the summary never shrinks as more is retired, this is exactly the first fitting candidate.
 */
export function chooseBoundary<S>(
  candidates: number[],
  besideSummary: (boundary: number) => number,
  fits: (boundary: number, tokens: number) => boolean,
  build: (boundary: number) => { tokens: number; summary: S },
): BoundaryChoice<S> | undefined {
  const attempt = (boundary: number): BoundaryChoice<S> | { tokens: number; failed: true } => {
    const built = build(boundary);
    const tokens = besideSummary(boundary) + built.tokens;
    return fits(boundary, tokens) ? { boundary, summary: built.summary, tokens } : { tokens: built.tokens, failed: true };
  };
  let assumed = 0;
  let builds = 0;
  let from = 0;
  for (;;) {
    let at = from;
    while (at < candidates.length && !fits(candidates[at], besideSummary(candidates[at]) + assumed)) at++;
    if (at >= candidates.length) {
      // Doubling may have overshot: the last candidate still gets one exact try.
      const last = candidates.length - 1;
      if (builds < EXACT_BUILDS || from > last) return undefined;
      const tried = attempt(candidates[last]);
      return 'failed' in tried ? undefined : tried;
    }
    const tried = attempt(candidates[at]);
    builds++;
    if (!('failed' in tried)) return tried;
    assumed = builds >= EXACT_BUILDS ? Math.max(tried.tokens, assumed * 2) : Math.max(tried.tokens, assumed + 1);
    from = at + 1;
  }
}
