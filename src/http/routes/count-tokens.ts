// POST /v1/messages/count_tokens (Anthropic): the request read and admitted, then counted by the
// use case (use-cases/count-tokens.ts: an Anthropic channel's exact count, else an estimate).
import type { RouteHandler } from '../server.ts';
import { beginModelRequest } from './model-request.ts';
import { adapterFor } from '../../adapters/registry.ts';
import { countTokens } from '../../use-cases/count-tokens.ts';

export const countMessageTokens: RouteHandler = async (ctx, deps) => countTokens(ctx, deps, await beginModelRequest(ctx, deps, adapterFor('anthropic').checkBody));
