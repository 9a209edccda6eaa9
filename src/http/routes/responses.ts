// POST /v1/responses: the request read and admitted, then served by the use case
// (use-cases/serve-responses.ts: sealed items, the Codex compaction trigger, pinning, state).
import type { RouteHandler } from '../server.ts';
import { beginModelRequest } from './model-request.ts';
import { adapterFor } from '../../adapters/registry.ts';
import { serveResponses } from '../../use-cases/serve-responses.ts';

export const responses: RouteHandler = async (ctx, deps) => serveResponses(ctx, deps, await beginModelRequest(ctx, deps, adapterFor('responses').checkBody));
