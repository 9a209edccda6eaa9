// The one name for a parsed JSON request or answer body that the relay reads field by field:
// shared by the HTTP edge, the translators and the compaction endpoints.
export type JsonObject = Record<string, any>;
