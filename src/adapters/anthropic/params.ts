// Which Anthropic Messages request parameters the relay carries, as a client format and as an
// upstream format (src/adapters/params.ts; the pair tables are derived in translate/param-coverage.ts).
import type { ParamCoverage } from '../params.ts';

export const anthropicParams: ParamCoverage = {
  decodes: {
    messages: 'conversation', system: 'conversation', tools: 'tools', tool_choice: 'toolChoice', max_tokens: 'maxOutputTokens',
    stop_sequences: 'stop', temperature: 'temperature', top_p: 'topP', 'metadata.user_id': 'user',
    'output_config.format': 'responseFormat', output_format: 'responseFormat',
  },
  accepts: [],
  // A tool an Anthropic client declares without a type is its own (a function).
  toolKinds: { custom: 'function' },
  // `user` and `safetyIdentifier` both become `metadata.user_id`; no reasoning effort, verbosity or OpenAI-only fields.
  carries: ['conversation', 'tools', 'toolChoice', 'parallelToolCalls', 'maxOutputTokens', 'temperature', 'topP', 'stop', 'user', 'safetyIdentifier', 'responseFormat'],
  // The prompt cache key picks the channel (affinity); Anthropic caches at the breakpoints the relay sets.
  absorbs: ['promptCacheKey'],
  offersTools: ['function', 'custom'],
};
