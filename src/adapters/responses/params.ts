// Which Responses request parameters the relay carries, as a client format and as an upstream
// format (src/adapters/params.ts; the pair tables are derived in translate/param-coverage.ts).
import type { ParamCoverage } from '../params.ts';

export const responsesParams: ParamCoverage = {
  decodes: {
    input: 'conversation', instructions: 'conversation', tools: 'tools', tool_choice: 'toolChoice', parallel_tool_calls: 'parallelToolCalls',
    max_output_tokens: 'maxOutputTokens', temperature: 'temperature', top_p: 'topP', user: 'user', safety_identifier: 'safetyIdentifier',
    'reasoning.effort': 'reasoningEffort', 'text.verbosity': 'verbosity', 'text.format': 'responseFormat', prompt_cache_key: 'promptCacheKey',
    service_tier: 'openAIFields', metadata: 'openAIFields', prompt_cache_retention: 'openAIFields',
    seed: 'openAIFields', stop: 'openAIFields', presence_penalty: 'openAIFields', frequency_penalty: 'openAIFields',
  },
  // `background: true` is refused; a translated upstream is asked to store nothing; earlier turns
  // named by `previous_response_id` are rebuilt from the answers the relay kept (translate/response-state.ts).
  accepts: ['background', 'store', 'previous_response_id'],
  toolKinds: { function: 'function', custom: 'custom' },
  // No `stop` on this wire.
  carries: ['conversation', 'tools', 'toolChoice', 'parallelToolCalls', 'maxOutputTokens', 'temperature', 'topP', 'user', 'safetyIdentifier',
    'reasoningEffort', 'verbosity', 'promptCacheKey', 'responseFormat', 'openAIFields'],
  absorbs: [],
  // A custom tool of a chat client could not have its calls returned as such.
  offersTools: ['function'],
};
