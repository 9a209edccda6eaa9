// The compaction base-URL prefix: a client that points its base URL at /compact/v1 gets its
// conversation compacted to the model's budget before every request, with no other change:
// Chat Completions, Responses (Codex) and Anthropic Messages (Claude Code, the Anthropic SDK).
import type { RouteHandler } from '../server.ts';
import { beginModelRequest } from './model-request.ts';
import { adapterFor } from '../../adapters/registry.ts';
import { compactThenChat, compactThenServeMessages, compactThenServeResponses } from '../../use-cases/compact.ts';

export const compactedChatCompletions: RouteHandler = async (ctx, deps) => compactThenChat(ctx, deps, await beginModelRequest(ctx, deps, adapterFor('chat').checkBody));

export const compactedResponses: RouteHandler = async (ctx, deps) => compactThenServeResponses(ctx, deps, await beginModelRequest(ctx, deps, adapterFor('responses').checkBody));

export const compactedMessages: RouteHandler = async (ctx, deps) => compactThenServeMessages(ctx, deps, await beginModelRequest(ctx, deps, adapterFor('anthropic').checkBody));
