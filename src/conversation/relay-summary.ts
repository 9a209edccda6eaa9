// The openings of the summary messages this relay writes into a compacted history. They live here,
// below every module that must tell them apart from the user's words or an environment's output.

/** The text that opens the relay's summary message (also recognised when expanding sealed items). */
export const SUMMARY_MESSAGE_PREFIX = 'The earlier part of this session was compacted by the gateway. Summary of the work so far, to continue from:\n\n';

/** The text that opens each later part of a summary: what a later event retired, after the parts an earlier event sent. */
export const SUMMARY_CONTINUATION_PREFIX = 'Compacted by the gateway since the summary above:\n\n';

const PREFIXES = [SUMMARY_MESSAGE_PREFIX, SUMMARY_CONTINUATION_PREFIX];

/** True when `text` is one of the relay's summary messages (first part or a later one). */
export const isRelaySummaryText = (text: string) => PREFIXES.some((prefix) => text.startsWith(prefix));

/** A summary message's own text, without the prefix that marks it (unchanged when it has none). */
export function relaySummaryBody(text: string): string {
  const prefix = PREFIXES.find((p) => text.startsWith(p));
  return prefix ? text.slice(prefix.length) : text;
}
