// Which request parameters survive a translation from one wire format to another. Everything a
// client sends that the translation does not carry is named in the `x-relay-dropped-params` response
// header; what cannot be dropped without changing the answer's shape is refused (501) instead, by
// the client format's adapter (`refuseTranslation`). Nothing here is written per pair: each adapter
// declares its parameters once (`params`, src/adapters/params.ts), and a client parameter is carried
// when the neutral field it is decoded into is one the upstream format carries.
// docs/translation.md is the human-readable form of the tables derived here.
import { adapterFor, UPSTREAM_PREFERENCE, WIRE_FORMATS, type WireFormat } from '../adapters/registry.ts';
import type { ParamCoverage, RequestField } from '../adapters/params.ts';

export const DROPPED_PARAMS_HEADER = 'x-relay-dropped-params';

/** Parameters every translation handles itself (the conversation, the model, streaming). */
const ALWAYS = ['model', 'stream'];

type Table = Record<WireFormat, Partial<Record<WireFormat, string[]>>>;

/** For each client format and each other format that may serve it, what `row` derives from the two adapters' declarations. */
function pairTable(row: (client: ParamCoverage, upstream: ParamCoverage) => string[]): Table {
  const table = {} as Table;
  for (const client of WIRE_FORMATS) {
    table[client] = {};
    for (const upstream of UPSTREAM_PREFERENCE[client]) if (upstream !== client) table[client][upstream] = row(adapterFor(client).params, adapterFor(upstream).params);
  }
  return table;
}

/** The client parameters decoded into one of `fields`. */
const decodedInto = (client: ParamCoverage, fields: readonly RequestField[]) => Object.entries(client.decodes).filter(([, field]) => fields.includes(field)).map(([param]) => param);

/**
 * Per client format and upstream format: the parameters carried over, each of which shows in the
 * upstream request. A dotted path carries only that field of an object parameter (`text.format`);
 * a bare name carries the whole parameter.
 */
export const CARRIED: Table = pairTable((client, upstream) => decodedInto(client, upstream.carries));

/**
 * Parameters accepted without being sent on, because they do not change the answer once
 * translated: those the client format accepts whatever serves it, and those decoded into a field
 * the upstream format's adapter uses itself (`prompt_cache_key` for Anthropic: channel affinity).
 */
export const ACCEPTED: Table = pairTable((client, upstream) => [...client.accepts, ...decodedInto(client, upstream.absorbs)]);

/** Tool types each translation can offer the upstream model; other tools are dropped (`tools[web_search]`). */
export const TOOL_TYPES: Table = pairTable((client, upstream) => Object.entries(client.toolKinds).filter(([, kind]) => upstream.offersTools.includes(kind)).map(([type]) => type));

function droppedTools(client: WireFormat, upstream: WireFormat, tools: unknown): string[] {
  const offered = TOOL_TYPES[client][upstream] ?? [];
  const types = (Array.isArray(tools) ? tools : []).map((tool) => adapterFor(client).declaredToolType(tool)).filter((type) => !offered.includes(type));
  return [...new Set(types)].map((type) => `tools[${type}]`);
}

/** The parameters of `body` that a translation from `client` to `upstream` leaves out, as dotted paths. */
export function droppedParams(client: WireFormat, upstream: WireFormat, body: Record<string, unknown>): string[] {
  const known = CARRIED[client][upstream];
  if (!known) return [];
  const carried = [...known, ...(ACCEPTED[client][upstream] ?? [])];
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name === 'tools') dropped.push(...droppedTools(client, upstream, value));
    if (value === undefined || value === null || ALWAYS.includes(name) || carried.includes(name)) continue;
    const fields = carried.filter((path) => path.startsWith(`${name}.`)).map((path) => path.slice(name.length + 1));
    if (fields.length > 0 && typeof value === 'object' && !Array.isArray(value)) {
      for (const [field, inner] of Object.entries(value)) if (inner !== undefined && inner !== null && !fields.includes(field)) dropped.push(`${name}.${field}`);
    } else {
      dropped.push(name);
    }
  }
  return dropped;
}

/** The response header that names dropped parameters, or none when nothing was dropped. */
export function droppedParamsHeader(client: WireFormat, upstream: WireFormat, body: Record<string, unknown>): Record<string, string> {
  const dropped = droppedParams(client, upstream, body);
  return dropped.length > 0 ? { [DROPPED_PARAMS_HEADER]: dropped.join(', ') } : {};
}
