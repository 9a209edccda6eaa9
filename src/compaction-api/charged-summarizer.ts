// A summarizer that pays up front: before each model call the compaction engine makes for a
// request, its cost (the prompt counted, plus the summary's output cap) is reserved against the
// requesting key's token limits and quotas. When it does not fit, the call is refused and the
// engine falls back to its deterministic ledger, so summaries cannot spend past a key's limits.
import type { SummarizeCall } from '../compaction/index.ts';
import { countTextTokens } from '../compaction/tokens.ts';
import type { Admission } from '../access/limits.ts';

/** Framing tokens of a two-message summary request. */
const FRAMING = 8;

export function chargedSummarizer(call: SummarizeCall, admission: Admission | undefined, model: string): SummarizeCall {
  if (!admission) return call;
  return async (req) => {
    await admission.reserveMore({ input: countTextTokens(req.system) + countTextTokens(req.prompt) + FRAMING, output: req.maxOutputTokens }, model);
    return call(req);
  };
}
