// The Anthropic Messages adapter: `/v1/messages` for clients, `anthropic` channels upstream,
// authenticated with `x-api-key` and an `anthropic-version`.
import type { WireAdapter } from '../adapter.ts';
import { checkMessagesBody } from './body-check.ts';
import { anthropicParams } from './params.ts';
import { decodeAnthropicConversation, encodeAnthropicConversation } from './conversation.ts';
import { countConversationTokens } from '../../compaction/tokens.ts';
import { decodeAnthropicRequest, encodeAnthropicRequest } from './request.ts';
import { AnthropicStreamEncoder, anthropicMessageId, anthropicStreamErrorFrame } from './stream-encoder.ts';
import { AnthropicUpstreamDecoder } from './stream-decoder.ts';
import { anthropicMessageToEvents, eventsToAnthropicMessage } from './answer.ts';
import { usageFromAnthropic } from './usage.ts';
import { anthropicStreamTap } from './stream-tap.ts';

/** The Messages API version sent when the client did not choose one. */
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

export const anthropicAdapter: WireAdapter = {
  format: 'anthropic',
  channelType: 'anthropic',
  clientPath: '/v1/messages',
  upstreamPath: '/messages',
  apiName: 'the Messages API',
  upstreamName: 'an Anthropic',
  params: anthropicParams,
  checkBody: checkMessagesBody,
  decodeConversation: decodeAnthropicConversation,
  encodeConversation: encodeAnthropicConversation,
  decodeRequest: decodeAnthropicRequest,
  encodeRequest: encodeAnthropicRequest,
  refuseTranslation: () => undefined,
  // Client tools have no type; server tools (web search, code execution…) have theirs.
  declaredToolType: (tool: any) => String(tool?.type ?? 'custom'),
  askStreamUsage: () => false,
  decodeAnswer: anthropicMessageToEvents,
  streamDecoder: () => new AnthropicUpstreamDecoder(),
  answerEncoder: ({ request, model }) => ({
    // A translated stream starts before the upstream says how many tokens it read: message_start carries the relay's own count.
    stream: () => new AnthropicStreamEncoder(anthropicMessageId(), model, countConversationTokens(request.conversation)),
    whole: (events) => eventsToAnthropicMessage(events, anthropicMessageId(), model),
  }),
  usageOf: usageFromAnthropic,
  encryptedContentsOf: () => [],
  streamTap: anthropicStreamTap,
  streamErrorFrame: (_code, message) => anthropicStreamErrorFrame(message),
  authHeaders: (apiKey, headers) => {
    const out: Record<string, string> = { 'anthropic-version': headers['anthropic-version'] ?? DEFAULT_ANTHROPIC_VERSION };
    if (apiKey) out['x-api-key'] = apiKey;
    return out;
  },
};
