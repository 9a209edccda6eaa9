// Structured output in no wire format: "answer with JSON (matching this schema)". Each adapter
// reads its format's parameter into this shape and writes it out in its own; the schema checks
// every format needs (is a schema strict-compatible, close its objects) live here once.
import { badRequest } from '../errors.ts';

export interface JsonSchemaFormat {
  kind: 'json_schema';
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
  description?: string;
}

export type OutputFormat = JsonSchemaFormat | { kind: 'json_object' };

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `json_schema` format read from `raw` (`param` names it in errors). */
export function schemaFormat(raw: Record<string, any>, param: string, strictByDefault: boolean): JsonSchemaFormat {
  if (!isObject(raw.schema)) throw badRequest(`Missing required parameter: '${param}.schema'.`, `${param}.schema`, 'missing_required_parameter');
  const out: JsonSchemaFormat = { kind: 'json_schema', name: typeof raw.name === 'string' && raw.name ? raw.name : 'output', schema: raw.schema, strict: typeof raw.strict === 'boolean' ? raw.strict : strictByDefault };
  if (typeof raw.description === 'string') out.description = raw.description;
  return out;
}

/** The 400 for a structured-output type no format knows. */
export function unknownType(param: string, type: unknown): never {
  throw badRequest(`Invalid value for '${param}.type': ${JSON.stringify(type)}. Supported values are 'text', 'json_object' and 'json_schema'.`, `${param}.type`, 'invalid_value');
}

const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SUBSCHEMA_MAPS = ['properties', '$defs', 'definitions'];

/** Every subschema of a schema, one level down. */
function children(schema: Record<string, any>): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  if (isObject(schema.items)) out.push(schema.items);
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(schema[key])) out.push(...schema[key].filter(isObject));
  for (const key of SUBSCHEMA_MAPS) if (isObject(schema[key])) out.push(...Object.values(schema[key]).filter(isObject));
  return out;
}

const isObjectSchema = (schema: Record<string, any>) => schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object')) || isObject(schema.properties);

/** Whether OpenAI's strict mode accepts the schema: every object closed, every property required. */
export function strictCompatible(schema: Record<string, any>): boolean {
  if (isObjectSchema(schema)) {
    if (schema.additionalProperties !== false) return false;
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    if (Object.keys(isObject(schema.properties) ? schema.properties : {}).some((name) => !required.has(name))) return false;
  }
  return children(schema).every(strictCompatible);
}

/** Anthropic requires `additionalProperties: false` on every object; objects that leave it open are closed. */
export function closeObjects(schema: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...schema };
  if (isObjectSchema(out) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (isObject(out.items)) out.items = closeObjects(out.items);
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = out[key].map((s: unknown) => (isObject(s) ? closeObjects(s) : s));
  for (const key of SUBSCHEMA_MAPS) {
    if (isObject(out[key])) out[key] = Object.fromEntries(Object.entries(out[key]).map(([k, s]) => [k, isObject(s) ? closeObjects(s) : s]));
  }
  return out;
}
