// Which Chat Completions request parameters the relay carries, as a client format and as an
// upstream format (src/adapters/params.ts; the pair tables are derived in translate/param-coverage.ts).
import type { ParamCoverage } from '../params.ts';

export const chatParams: ParamCoverage = {
  decodes: {
    messages: 'conversation', tools: 'tools', tool_choice: 'toolChoice', parallel_tool_calls: 'parallelToolCalls',
    max_tokens: 'maxOutputTokens', max_completion_tokens: 'maxOutputTokens', temperature: 'temperature', top_p: 'topP', stop: 'stop',
    user: 'user', safety_identifier: 'safetyIdentifier', reasoning_effort: 'reasoningEffort', verbosity: 'verbosity',
    prompt_cache_key: 'promptCacheKey', response_format: 'responseFormat',
    service_tier: 'openAIFields', metadata: 'openAIFields', prompt_cache_retention: 'openAIFields',
  },
  // `n` above 1 is refused; a translated upstream is asked to store nothing; usage is always asked for.
  accepts: ['n', 'stream_options', 'store'],
  toolKinds: { function: 'function', custom: 'custom' },
  carries: ['conversation', 'tools', 'toolChoice', 'parallelToolCalls', 'maxOutputTokens', 'temperature', 'topP', 'stop', 'user', 'safetyIdentifier',
    'reasoningEffort', 'verbosity', 'promptCacheKey', 'responseFormat', 'openAIFields'],
  absorbs: [],
  // Custom tools are offered as functions taking `{input}`.
  offersTools: ['function', 'custom'],
};
