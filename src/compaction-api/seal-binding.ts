// What a sealed compaction item is bound to: the API key that received it (its id and stored
// hash, so a recreated key with the same name is another owner) and the family of its model.
import type { Principal } from '../access/catalog.ts';
import type { SealBinding } from './sealing.ts';
import { modelFamilyOf } from './model-families.ts';

export function sealBindingOf(principal: Principal, model: string): SealBinding {
  return { owner: `key:${principal.key.id}:${principal.key.keyHash}`, family: modelFamilyOf(model) };
}
