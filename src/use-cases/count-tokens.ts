// Counts an Anthropic Messages request's input tokens (Claude Code calls it to track its
// context): asked of an Anthropic channel serving the model when there is one, which counts
// exactly; otherwise counted here with the o200k tokenizer the compaction engine uses, and
// marked as an estimate.
import type { RequestScope } from '../request/scope.ts';
import type { ModelRequest } from './model-request.ts';
import type { ForwardDeps } from './forwarding.ts';
import { channelsSpeaking } from '../upstream/router.ts';
import { dispatch } from '../upstream/dispatch.ts';
import { sendUpstream } from '../upstream/send.ts';
import { relayUpstreamResponse } from '../upstream/relay-response.ts';
import { forwardableHeaders } from '../upstream/forward-headers.ts';
import { adapterFor } from '../adapters/registry.ts';
import { countConversationTokens } from '../compaction/index.ts';

export async function countTokens(ctx: RequestScope, deps: ForwardDeps, request: ModelRequest): Promise<void> {
  const { body, raw, model, servable } = request;
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
        headers: forwardableHeaders(ctx.headers),
        signal: ctx.abort.signal,
        timeoutMs: channel.options.timeoutMs ?? deps.config.upstreamTimeoutMs,
      }),
      // The answer carries no usage: counting is free, and the row records 0 tokens.
      relay: (channel, response) => relayUpstreamResponse(ctx, response, { format: 'anthropic', channel, bodyLimitBytes: deps.config.upstreamBodyLimitBytes }),
    });
  }
  const inputTokens = countConversationTokens(adapterFor('anthropic').decodeConversation(body));
  ctx.sink.sendJson(200, { input_tokens: inputTokens }, { 'x-token-count': 'estimate; o200k_base' });
}
