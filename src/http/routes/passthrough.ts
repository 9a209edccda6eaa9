// POST /v1/chat/completions and POST /v1/responses forwarded to a channel that speaks the same
// wire format; the body travels untouched apart from the model alias and, for chat streams, the
// request for a usage chunk so every streamed request still logs its tokens.
import type { RouteHandler } from '../server.ts';
import type { JsonObject } from '../body.ts';
import { readJsonObject } from '../body.ts';
import { authenticate } from '../auth.ts';
import { requireModelName, resolveModelAccess } from '../../access/model-access.ts';
import { badRequest, notImplemented } from '../../errors.ts';
import { channelsSpeaking } from '../../upstream/router.ts';
import { dispatch } from '../../upstream/dispatch.ts';
import { affinityKeyOf } from '../../upstream/affinity-key.ts';
import { sendUpstream } from '../../upstream/send.ts';
import { relayUpstreamResponse, type RelayFormat } from '../../upstream/relay-response.ts';
import { forwardableHeaders } from '../../upstream/forward-headers.ts';
import type { ChannelType } from '../../store/catalog-store.ts';

const CHANNEL_TYPE_FOR: Record<RelayFormat, ChannelType> = { chat: 'openai-chat', responses: 'openai-responses' };
const UPSTREAM_PATH: Record<RelayFormat, string> = { chat: '/chat/completions', responses: '/responses' };

function validateShape(format: RelayFormat, body: JsonObject): void {
  if (format === 'chat') {
    if (body.messages === undefined) throw badRequest('Missing required parameter: "messages".', 'messages', 'missing_required_parameter');
    if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array of message objects.', 'messages', 'invalid_type');
    body.messages.forEach((m: unknown, i: number) => {
      if (!m || typeof m !== 'object' || Array.isArray(m)) throw badRequest(`"messages[${i}]" must be an object.`, `messages[${i}]`, 'invalid_type');
    });
  } else if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input)) {
    throw badRequest('"input" must be a string or an array of input items.', 'input', 'invalid_type');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest('"stream" must be a boolean.', 'stream', 'invalid_type');
}

export function passthrough(format: RelayFormat): RouteHandler {
  return async (ctx, deps) => {
    const catalog = deps.catalog.current;
    ctx.principal = authenticate(catalog, ctx.req.headers);
    const body = await readJsonObject(ctx.req, deps.config.bodyLimitBytes);
    const model = requireModelName(body);
    ctx.model = model;
    validateShape(format, body);
    const servable = resolveModelAccess(catalog, ctx.principal, model);
    const sameWire = channelsSpeaking(servable, [CHANNEL_TYPE_FOR[format]]);
    if (sameWire.length === 0) {
      throw notImplemented(
        `The model "${model}" is served only by channels that speak another wire format, and translation to ${format === 'chat' ? 'Chat Completions' : 'Responses'} is not available for it.`,
        'translation_not_supported',
      );
    }
    let hideUsageChunk = false;
    if (format === 'chat' && body.stream === true && body.stream_options?.include_usage !== true) {
      hideUsageChunk = true;
      body.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
    }
    await dispatch({
      ctx,
      deps,
      model,
      candidates: sameWire,
      affinityKey: affinityKeyOf(ctx.req.headers, body),
      attempt: (channel, upstreamModel) => sendUpstream(deps.agent, {
        channel,
        path: UPSTREAM_PATH[format],
        body: JSON.stringify(upstreamModel === model ? body : { ...body, model: upstreamModel }),
        headers: forwardableHeaders(ctx.req.headers),
        signal: ctx.abort.signal,
        timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
      }),
      relay: (channel, response) => relayUpstreamResponse(ctx, response, { format, channel, hideUsageChunk }),
    });
  };
}
