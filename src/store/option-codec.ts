// Catalog options as the store writes and reads them: JSON checked against the catalog schemas
// (access/catalog-schema.ts). A write with an unknown or malformed option is refused, naming it;
// a stored row that no longer fits (written by an older version or by hand) is read without the
// options that do not fit, each reported, so that one bad row never takes the catalog down.
import type { z } from 'zod';

export class CatalogOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogOptionsError';
  }
}

/** One issue as "field: what is wrong" (the field left out when the issue is about the whole object). */
export function describeOptionIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Checks options before they are stored and returns their JSON; throws CatalogOptionsError naming the first problem. */
export function encodeOptions<S extends z.ZodType>(schema: S, options: unknown, owner: string): string {
  const result = schema.safeParse(options ?? {});
  if (!result.success) throw new CatalogOptionsError(`Invalid options for ${owner}: ${describeOptionIssue(result.error.issues[0])}`);
  return JSON.stringify(result.data);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removes what an issue is about from `root`: the unknown keys, or the malformed field. */
function dropIssue(root: Record<string, unknown>, issue: z.core.$ZodIssue): boolean {
  const path = issue.path.map(String);
  const names = issue.code === 'unrecognized_keys' ? issue.keys : path.length ? [path.pop()!] : [];
  let parent: unknown = root;
  for (const step of path) parent = isObject(parent) ? parent[step] : undefined;
  if (!isObject(parent) || names.length === 0) return false;
  for (const name of names) delete parent[name];
  return true;
}

/** Reads stored options; whatever does not fit the schema is left out and passed to `report`. */
export function decodeOptions<S extends z.ZodType>(schema: S, text: string, owner: string, report: (problem: string) => void): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isObject(value)) {
    report(`${owner}: stored options are not a JSON object; read as none`);
    value = {};
  }
  const candidate = value as Record<string, unknown>;
  for (let round = 0; round < 10; round++) {
    const result = schema.safeParse(candidate);
    if (result.success) return result.data;
    let dropped = false;
    for (const issue of result.error.issues) {
      report(`${owner}: stored option ignored, ${describeOptionIssue(issue)}`);
      dropped = dropIssue(candidate, issue) || dropped;
    }
    if (!dropped) break;
  }
  report(`${owner}: stored options unreadable; read as none`);
  return schema.parse({});
}
