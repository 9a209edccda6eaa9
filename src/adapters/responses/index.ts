// The Responses adapter: `/v1/responses` for clients, `openai-responses` channels upstream. Its
// answers repeat the client's request fields and return custom tools' calls as custom_tool_call.
import { randomBytes } from 'node:crypto';
import type { WireAdapter } from '../adapter.ts';
import { checkResponsesBody } from './body-check.ts';
import { responsesParams } from './params.ts';
import { decodeResponsesConversation, encodeResponsesConversation } from './conversation.ts';
import { decodeResponsesRequest, encodeResponsesRequest, responsesEcho } from './request.ts';
import { ResponsesStreamDecoder, ResponsesStreamEncoder, responsesStreamErrorFrame } from './stream.ts';
import { encryptedContentsOf, eventsToResponse, responseToEvents } from './answer.ts';
import { usageFromResponses } from './usage.ts';
import { bearerAuth } from '../bearer-auth.ts';
import { responsesStreamTap } from './stream-tap.ts';
import { notImplemented } from '../../errors.ts';

const responseId = () => `resp_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

export const responsesAdapter: WireAdapter = {
  format: 'responses',
  channelType: 'openai-responses',
  clientPath: '/v1/responses',
  upstreamPath: '/responses',
  apiName: 'the Responses API',
  upstreamName: 'a Responses',
  params: responsesParams,
  checkBody: checkResponsesBody,
  decodeConversation: decodeResponsesConversation,
  encodeConversation: encodeResponsesConversation,
  decodeRequest: decodeResponsesRequest,
  encodeRequest: (request) => encodeResponsesRequest(request),
  refuseTranslation: (body) => {
    if (body.background === true) {
      throw notImplemented('This model is served by an upstream without background responses: \'background\' cannot be honoured. Send the request without it.', 'background_not_supported');
    }
  },
  declaredToolType: (tool: any) => String(tool?.type ?? 'unknown'),
  askStreamUsage: () => false,
  decodeAnswer: responseToEvents,
  streamDecoder: () => new ResponsesStreamDecoder(),
  answerEncoder: ({ body, request, model }) => {
    const options = () => ({
      id: responseId(),
      model,
      createdAt: now(),
      customTools: new Set(request.conversation.tools.filter((tool) => tool.kind === 'custom').map((tool) => tool.name)),
      echo: responsesEcho(body),
    });
    return { stream: () => new ResponsesStreamEncoder(options()), whole: (events) => eventsToResponse(events, options()) };
  },
  usageOf: usageFromResponses,
  encryptedContentsOf: (answer: any) => encryptedContentsOf(answer?.output),
  streamTap: responsesStreamTap,
  streamErrorFrame: responsesStreamErrorFrame,
  authHeaders: bearerAuth,
};
