// What the two OpenAI wire formats (Chat Completions and Responses) write the same way: the
// sampling and identity parameters they share, and the fields only they carry (passed between them
// untouched). Each format's request encoder adds its own names for the rest.
import type { JsonObject } from '../json.ts';
import type { NeutralRequest } from '../conversation/request.ts';

/** A value a client sent, with JSON null read as "not set". */
export const setValue = (value: unknown) => (value === null ? undefined : value);

/** Writes the parameters both OpenAI formats name alike, leaving out what the request does not set. */
export function putOpenAICommon(out: JsonObject, request: NeutralRequest): void {
  const put = (name: string, value: unknown) => {
    if (value !== undefined) out[name] = value;
  };
  put('temperature', request.temperature);
  put('top_p', request.topP);
  put('parallel_tool_calls', request.parallelToolCalls);
  put('user', request.user);
  put('safety_identifier', request.safetyIdentifier);
  put('prompt_cache_key', request.promptCacheKey);
  Object.assign(out, request.openAIFields);
}
