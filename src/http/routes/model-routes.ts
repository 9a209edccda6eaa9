// The model routes of every wire format, from the adapter registry: `POST <clientPath>` for each
// adapter, and `POST /compact<clientPath>` for each format with a compaction use case. A format's
// body is checked by its adapter (`checkBody`) and served by format (use-cases/serve-by-format.ts)
// unless the format is served by a use case of its own (Responses: kept state, sealed items, the
// Codex compaction trigger). A new format's adapter is thereby routed with no line here.
import type { RouteHandler, RouteTable } from '../server.ts';
import { adapterFor, WIRE_FORMATS, type WireFormat } from '../../adapters/registry.ts';
import { beginModelRequest } from './model-request.ts';
import { serveByFormat } from '../../use-cases/serve-by-format.ts';
import { responses } from './responses.ts';
import { compactedChatCompletions, compactedMessages, compactedResponses } from './compact-prefix.ts';

/** A format's model route: the request admitted, its body checked by the format's adapter, then served by format. */
export const servedByFormat = (format: WireFormat): RouteHandler => async (ctx, deps) => {
  const { body, raw, model, servable } = await beginModelRequest(ctx, deps, adapterFor(format).checkBody);
  return serveByFormat(ctx, deps, format, body, { model, servable, rawBody: raw });
};

/** Formats whose model route is a use case of their own rather than `servedByFormat`. */
const OWN_ROUTE: Partial<Record<WireFormat, RouteHandler>> = { responses };

/** Formats whose conversations are compacted behind the /compact base-URL prefix (compact-prefix.ts). */
const COMPACTED: Partial<Record<WireFormat, RouteHandler>> = { chat: compactedChatCompletions, responses: compactedResponses, anthropic: compactedMessages };

/** `POST <clientPath>` and `POST /compact<clientPath>` for every format in the registry. */
export function modelRoutes(): RouteTable {
  const routes: RouteTable = {};
  for (const format of WIRE_FORMATS) {
    const { clientPath } = adapterFor(format);
    routes[`POST ${clientPath}`] = OWN_ROUTE[format] ?? servedByFormat(format);
    const compacted = COMPACTED[format];
    if (compacted) routes[`POST /compact${clientPath}`] = compacted;
  }
  return routes;
}
