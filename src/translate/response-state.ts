// The Responses API's server-side state for upstreams that keep none (Chat-only, Anthropic):
// `previous_response_id` and `item_reference` input items are resolved from the responses the
// relay itself served to the same API key; what cannot be resolved is a 400, never dropped.
// Answers are kept for later turns unless the client sent `store: false`.
import type { JsonObject } from '../json.ts';
import type { ResponseStore } from '../state/response-store.ts';
import { badRequest } from '../errors.ts';

/** How far back a chain of `previous_response_id` is followed before it is refused. */
const MAX_CHAIN = 10_000;

export interface ResolvedResponsesState {
  previousResponseId?: string;
  /** The items this request adds to the conversation, references resolved: what is kept with its answer. */
  addedInput: unknown[];
}

const isReference = (item: any) => item?.type === 'item_reference' || (item?.type === undefined && item?.role === undefined && typeof item?.id === 'string');

/** True when the body needs the relay's stored state to be understood. */
export function needsResponsesState(body: JsonObject): boolean {
  return body.previous_response_id !== undefined && body.previous_response_id !== null || (Array.isArray(body.input) && body.input.some(isReference));
}

async function resolveReferences(store: ResponseStore, scope: string, input: unknown[]): Promise<unknown[]> {
  if (!input.some(isReference)) return input;
  return Promise.all(input.map(async (item: any, index) => {
    if (!isReference(item)) return item;
    const found = typeof item.id === 'string' ? await store.item(scope, item.id) : undefined;
    if (found === undefined) {
      throw badRequest(`Item with id '${String(item.id)}' not found: it is not an item of a response this relay served to this key, or it has expired. Send the item itself instead.`, `input[${index}]`, 'item_not_found');
    }
    return found;
  }));
}

async function previousItems(store: ResponseStore, scope: string, previousId: string): Promise<unknown[]> {
  const chain: unknown[][] = [];
  let id: string | undefined = previousId;
  while (id) {
    const response = await store.response(scope, id);
    if (!response) {
      throw badRequest(`Previous response with id '${id}' not found: it was not served by this relay to this key, was sent with "store": false, or has expired.`, 'previous_response_id', 'previous_response_not_found');
    }
    chain.push([...response.input, ...response.output]);
    if (chain.length > MAX_CHAIN) throw badRequest('The chain of previous responses is too long; send the conversation in "input" instead.', 'previous_response_id', 'previous_response_not_found');
    id = response.previousResponseId;
  }
  return chain.reverse().flat();
}

/** Rewrites `body.input` into the whole conversation the upstream must see. */
export async function resolveResponsesState(store: ResponseStore, scope: string, body: JsonObject): Promise<ResolvedResponsesState> {
  const previous = body.previous_response_id;
  if (previous !== undefined && previous !== null && (typeof previous !== 'string' || previous === '')) {
    throw badRequest('"previous_response_id" must be a non-empty string.', 'previous_response_id', 'invalid_type');
  }
  const own: unknown[] = typeof body.input === 'string'
    ? [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: body.input }] }]
    : Array.isArray(body.input) ? body.input : [];
  const addedInput = await resolveReferences(store, scope, own);
  const history = typeof previous === 'string' ? await previousItems(store, scope, previous) : [];
  if (history.length > 0 || addedInput !== own) body.input = [...history, ...addedInput];
  return { ...(typeof previous === 'string' ? { previousResponseId: previous } : {}), addedInput };
}

export interface ServedResponse {
  id: string;
  status: string;
  output: unknown[];
}

/** What to keep of an answer: nothing when the client said `store: false` or the answer failed. */
export function keepServedResponse(store: ResponseStore, scope: string, body: JsonObject, state: ResolvedResponsesState): ((response: ServedResponse) => Promise<void>) | undefined {
  if (body.store === false) return undefined;
  return async (response) => {
    if (response.status !== 'completed' && response.status !== 'incomplete') return;
    await store.save(scope, { id: response.id, ...(state.previousResponseId ? { previousResponseId: state.previousResponseId } : {}), input: state.addedInput, output: response.output });
  };
}
