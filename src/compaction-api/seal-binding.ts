// What a sealed compaction item is bound to: the API key that received it (its id and stored
// hash, so a recreated key with the same name is another owner) and the family of its model.
import type { Principal } from '../access/catalog.ts';
import type { SealBinding } from './sealing.ts';

/** Model families whose members may share a compaction item; longest first where they overlap. */
const FAMILIES = ['gpt-4.1', 'gpt-4o', 'gpt-5', 'gpt-4', 'o1', 'o3', 'o4', 'codex', 'claude', 'deepseek', 'qwen', 'llama', 'gemini', 'mistral', 'grok'];

/**
 * A model's family: a known family prefix followed by the end of the name, `-` or `.`
 * (`gpt-5.5-codex` → `gpt-5`, `claude-sonnet-4-5` → `claude`), after any `provider/` prefix;
 * otherwise the whole lowercased name, so an unknown model shares with nothing else.
 */
export function modelFamilyOf(model: string): string {
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  for (const family of FAMILIES) {
    if (!name.startsWith(family)) continue;
    const next = name[family.length];
    if (next === undefined || next === '-' || next === '.') return family;
  }
  return name;
}

export function sealBindingOf(principal: Principal, model: string): SealBinding {
  return { owner: `key:${principal.key.id}:${principal.key.keyHash}`, family: modelFamilyOf(model) };
}
