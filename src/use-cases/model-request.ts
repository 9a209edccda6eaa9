// A model request once the HTTP layer has authenticated it, read and checked its body, and found
// the channels that may serve its model for this key: what every use case starts from.
import type { Principal } from '../access/catalog.ts';
import type { JsonObject } from '../json.ts';
import type { ChannelRecord } from '../store/catalog-store.ts';

export interface ModelRequest {
  principal: Principal;
  body: JsonObject;
  /** The body's bytes as received; valid only while `body` is left unmodified. */
  raw: Buffer;
  model: string;
  /** Enabled channels serving the model, any wire format. */
  servable: ChannelRecord[];
}
