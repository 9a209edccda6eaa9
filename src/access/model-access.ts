// Decides whether a principal may use a model and which channels could serve it: 404 for a model
// no channel serves, 403 for one the key's group may not use, 503 when every channel is disabled.
import type { CatalogIndex, Principal } from './catalog.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';
import { badRequest, forbidden, notFound, unavailable } from '../errors.ts';

/** The longest model name a request may carry (no served model comes close; the name reaches logs and answers). */
export const MODEL_NAME_MAX = 256;

export function requireModelName(body: Record<string, unknown>): string {
  const model = body.model;
  if (model === undefined) throw badRequest('Missing required parameter: "model".', 'model', 'missing_required_parameter');
  if (typeof model !== 'string' || model.trim() === '') throw badRequest('"model" must be a non-empty string.', 'model', 'invalid_type');
  if (model.length > MODEL_NAME_MAX) throw badRequest(`"model" is longer than ${MODEL_NAME_MAX} characters; no model has such a name.`, 'model', 'invalid_value');
  return model;
}

export function resolveModelAccess(catalog: CatalogIndex, principal: Principal, model: string): ChannelRecord[] {
  if (!catalog.isKnownModel(model)) {
    throw notFound(`The model "${model}" does not exist or is not served by this relay.`, 'model_not_found', 'model');
  }
  if (!catalog.groupAllows(principal.group, model)) {
    throw forbidden(`Your key's group "${principal.group.name}" may not use the model "${model}".`);
  }
  const channels = catalog.channelsFor(model);
  if (channels.length === 0) throw unavailable(`No enabled channel serves the model "${model}" right now.`);
  return channels;
}
