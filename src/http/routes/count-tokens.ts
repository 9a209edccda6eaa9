// POST /v1/messages/count_tokens (Anthropic; Claude Code calls it to track its context): asked of
// an Anthropic channel serving the model when there is one, which counts exactly; otherwise
// counted here with the o200k tokenizer the compaction engine uses, and marked as an estimate.
import type { RouteHandler } from '../server.ts';
import { beginModelRequest } from './model-request.ts';
import { checkMessagesBody } from './messages.ts';
import { sendJson } from '../respond.ts';
import { channelsSpeaking } from '../../upstream/router.ts';
import { dispatch } from '../../upstream/dispatch.ts';
import { sendUpstream } from '../../upstream/send.ts';
import { relayUpstreamResponse } from '../../upstream/relay-response.ts';
import { forwardableHeaders } from '../../upstream/forward-headers.ts';
import { decodeAnthropicRequest } from '../../conversation/anthropic.ts';
import { countConversationTokens } from '../../compaction/index.ts';

export const countMessageTokens: RouteHandler = async (ctx, deps) => {
  const { body, raw, model, servable } = await beginModelRequest(ctx, deps, checkMessagesBody);
  const anthropic = channelsSpeaking(servable, ['anthropic']);
  if (anthropic.length > 0) {
    return dispatch({
      ctx,
      deps,
      model,
      candidates: anthropic,
      attempt: (channel, upstreamModel) => sendUpstream(deps.agent, {
        channel,
        path: '/messages/count_tokens',
        body: upstreamModel === model ? raw : JSON.stringify({ ...body, model: upstreamModel }),
        headers: forwardableHeaders(ctx.req.headers),
        signal: ctx.abort.signal,
        timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
      }),
      // The answer carries no usage: counting is free, and the row records 0 tokens.
      relay: (channel, response) => relayUpstreamResponse(ctx, response, { format: 'anthropic', channel, bodyLimitBytes: deps.config.upstreamBodyLimitBytes }),
    });
  }
  const inputTokens = countConversationTokens(decodeAnthropicRequest(body));
  sendJson(ctx, 200, { input_tokens: inputTokens }, { 'x-token-count': 'estimate; o200k_base' });
};
