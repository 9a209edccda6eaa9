// The openings of the summary messages this relay writes into a compacted history. They live here,
// below every module that must tell them apart from the user's words or an environment's output.

/** The text that opens the relay's summary message (also recognised when expanding sealed items). */
export const SUMMARY_MESSAGE_PREFIX = 'The earlier part of this session was compacted by the gateway. Summary of the work so far, to continue from:\n\n';

/** The text that opens each later part of a summary: what a later event retired, after the parts an earlier event sent. */
export const SUMMARY_CONTINUATION_PREFIX = 'Compacted by the gateway since the summary above:\n\n';

/** True when `text` is one of the relay's summary messages (first part or a later one). */
export const isRelaySummaryText = (text: string) => text.startsWith(SUMMARY_MESSAGE_PREFIX) || text.startsWith(SUMMARY_CONTINUATION_PREFIX);
