// The compaction base-URL prefix: a client that points its base URL at /compact/v1 gets its
// conversation compacted to the model's budget before every request, with no other change.
import type { RouteHandler } from '../server.ts';
import { beginModelRequest, checkChatBody, checkResponsesBody } from './model-request.ts';
import { compactThenChat } from './responses-compact.ts';
import { serveResponses } from './responses.ts';
import { decodeResponsesInput, encodeResponsesInput } from '../../conversation/responses.ts';
import { compactionHeaders, runCompaction } from '../../compaction-api/compaction-service.ts';
import { endsWithCompactionTrigger, inspectInput } from '../../compaction-api/sealed-items.ts';

export const compactedChatCompletions: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkChatBody);
  return compactThenChat(ctx, deps, request);
};

/** Compacts a Responses `input` in place, then serves the request like /v1/responses. */
export const compactedResponses: RouteHandler = async (ctx, deps) => {
  const request = await beginModelRequest(ctx, deps, checkResponsesBody);
  const { body } = request;
  if (Array.isArray(body.input) && !endsWithCompactionTrigger(body.input)) {
    const inspection = inspectInput(body.input, deps.sealer);
    const conversation = decodeResponsesInput(inspection.input, typeof body.instructions === 'string' ? body.instructions : undefined);
    const result = await runCompaction({ ctx, deps, principal: request.principal, model: request.model, servable: request.servable }, conversation);
    body.input = encodeResponsesInput(result.conversation);
    for (const [name, value] of Object.entries(compactionHeaders(result.report))) ctx.res.setHeader(name, value);
  }
  return serveResponses(ctx, deps, request);
};
