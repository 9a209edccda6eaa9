// The Chat Completions adapter: `/v1/chat/completions` for clients, `openai-chat` channels upstream.
import { randomBytes } from 'node:crypto';
import type { WireAdapter } from '../adapter.ts';
import { checkChatBody } from './body-check.ts';
import { chatParams } from './params.ts';
import { decodeChatConversation, encodeChatConversation } from './conversation.ts';
import { decodeChatRequest, encodeChatRequest } from './request.ts';
import { ChatStreamDecoder, ChatStreamEncoder, chatStreamErrorFrame } from './stream.ts';
import { chatCompletionToEvents, eventsToChatCompletion } from './answer.ts';
import { usageFromChat } from './usage.ts';
import { bearerAuth } from '../bearer-auth.ts';
import { chatStreamTap } from './stream-tap.ts';
import { notImplemented } from '../../errors.ts';

const chatId = () => `chatcmpl-${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

export const chatAdapter: WireAdapter = {
  format: 'chat',
  channelType: 'openai-chat',
  clientPath: '/v1/chat/completions',
  upstreamPath: '/chat/completions',
  apiName: 'Chat Completions',
  upstreamName: 'a Chat Completions',
  params: chatParams,
  checkBody: checkChatBody,
  decodeConversation: decodeChatConversation,
  encodeConversation: encodeChatConversation,
  decodeRequest: decodeChatRequest,
  encodeRequest: (request) => encodeChatRequest(request),
  refuseTranslation: (body, upstream) => {
    if (typeof body.n === 'number' && body.n > 1) {
      throw notImplemented(`This model is served by ${upstream.upstreamName} upstream, which returns one choice per request: 'n' > 1 cannot be honoured. Send ${body.n} requests instead.`, 'n_not_supported');
    }
  },
  declaredToolType: (tool: any) => String(tool?.type ?? (tool?.function ? 'function' : 'unknown')),
  askStreamUsage: (body) => {
    // Chat streams report usage only when asked (`stream_options.include_usage`).
    if (body.stream !== true || body.stream_options?.include_usage === true) return false;
    body.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
    return true;
  },
  decodeAnswer: chatCompletionToEvents,
  streamDecoder: () => new ChatStreamDecoder(),
  answerEncoder: ({ body, model }) => ({
    // Usage reaches a streaming chat client only when it asked (`stream_options.include_usage`).
    stream: () => new ChatStreamEncoder({ id: chatId(), model, created: now(), includeUsage: body.stream_options?.include_usage === true }),
    whole: (events) => eventsToChatCompletion(events, { id: chatId(), model, created: now() }),
  }),
  usageOf: usageFromChat,
  encryptedContentsOf: () => [],
  streamTap: chatStreamTap,
  streamErrorFrame: (code, message) => chatStreamErrorFrame(code, message),
  authHeaders: bearerAuth,
};
