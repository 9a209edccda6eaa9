// Known model families, in one table: which models may share a sealed compaction item (members
// of one family) and the context window assumed for a family when its channel does not set one.

interface ModelFamily {
  prefix: string;
  /** Context window in tokens, when the family's is known. */
  contextWindow?: number;
}

/** Longest prefix first where prefixes overlap (`gpt-4.1` and `gpt-4o` before `gpt-4`). */
const FAMILIES: ModelFamily[] = [
  { prefix: 'gpt-4.1', contextWindow: 1_000_000 },
  { prefix: 'gpt-4o', contextWindow: 128_000 },
  { prefix: 'gpt-5', contextWindow: 272_000 },
  { prefix: 'gpt-4' },
  { prefix: 'o1', contextWindow: 200_000 },
  { prefix: 'o3', contextWindow: 200_000 },
  { prefix: 'o4', contextWindow: 200_000 },
  { prefix: 'codex', contextWindow: 272_000 },
  { prefix: 'claude', contextWindow: 200_000 },
  { prefix: 'deepseek', contextWindow: 128_000 },
  { prefix: 'qwen', contextWindow: 128_000 },
  { prefix: 'llama', contextWindow: 128_000 },
  { prefix: 'gemini' },
  { prefix: 'mistral' },
  { prefix: 'grok' },
];

/** The model's name without a `provider/` prefix, lowercased. */
const bareName = (model: string) => model.toLowerCase().slice(model.lastIndexOf('/') + 1);

/**
 * The known family of a model: a family prefix followed by the end of the name, `-` or `.`
 * (`gpt-5.5-codex` → `gpt-5`, `claude-sonnet-4-5` → `claude`), after any `provider/` prefix.
 */
function knownFamilyOf(model: string): ModelFamily | undefined {
  const name = bareName(model);
  return FAMILIES.find(({ prefix }) => {
    const next = name[prefix.length];
    return name.startsWith(prefix) && (next === undefined || next === '-' || next === '.');
  });
}

/** A model's family name; an unknown model is a family of its own (its lowercased name), sharing with nothing else. */
export function modelFamilyOf(model: string): string {
  return knownFamilyOf(model)?.prefix ?? bareName(model);
}

/** The context window of the model's family, when the table knows it. */
export function familyContextWindow(model: string): number | undefined {
  return knownFamilyOf(model)?.contextWindow;
}
