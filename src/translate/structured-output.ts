// Structured output carried between the three wire formats: Chat `response_format`, Responses
// `text.format` and Anthropic `output_config.format` (or the beta `output_format`), read into one
// neutral shape and written out in the upstream's. Anthropic has no plain JSON mode, so a request
// for one is refused with a 501 before any upstream is called, never dropped.
import { badRequest, notImplemented } from '../errors.ts';

export interface JsonSchemaFormat {
  kind: 'json_schema';
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
  description?: string;
}

export type OutputFormat = JsonSchemaFormat | { kind: 'json_object' };

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function schemaFormat(raw: Record<string, any>, param: string, strictByDefault: boolean): JsonSchemaFormat {
  if (!isObject(raw.schema)) throw badRequest(`Missing required parameter: '${param}.schema'.`, `${param}.schema`, 'missing_required_parameter');
  const out: JsonSchemaFormat = { kind: 'json_schema', name: typeof raw.name === 'string' && raw.name ? raw.name : 'output', schema: raw.schema, strict: typeof raw.strict === 'boolean' ? raw.strict : strictByDefault };
  if (typeof raw.description === 'string') out.description = raw.description;
  return out;
}

function unknownType(param: string, type: unknown): never {
  throw badRequest(`Invalid value for '${param}.type': ${JSON.stringify(type)}. Supported values are 'text', 'json_object' and 'json_schema'.`, `${param}.type`, 'invalid_value');
}

/** Chat Completions `response_format`. */
export function chatOutputFormat(body: Record<string, any>): OutputFormat | undefined {
  const format = body.response_format;
  if (format === undefined || format === null) return undefined;
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { kind: 'json_object' };
  if (format.type === 'json_schema') return schemaFormat(isObject(format.json_schema) ? format.json_schema : {}, 'response_format.json_schema', false);
  return unknownType('response_format', format?.type);
}

/** Responses `text.format`. */
export function responsesOutputFormat(body: Record<string, any>): OutputFormat | undefined {
  const format = body.text?.format;
  if (format === undefined || format === null || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { kind: 'json_object' };
  if (format.type === 'json_schema') return schemaFormat(format, 'text.format', false);
  return unknownType('text.format', format?.type);
}

/** Anthropic `output_config.format`, or the older beta `output_format`: always enforced, like OpenAI's strict mode. */
export function anthropicOutputFormat(body: Record<string, any>): OutputFormat | undefined {
  const [format, param] = isObject(body.output_config?.format) ? [body.output_config.format, 'output_config.format'] : [body.output_format, 'output_format'];
  if (format === undefined || format === null) return undefined;
  if (format.type !== 'json_schema') throw badRequest(`${param}.type: Input should be 'json_schema'`, `${param}.type`, 'invalid_value');
  const out = schemaFormat(format, param, true);
  // OpenAI's strict mode accepts only closed objects whose properties are all required.
  return { ...out, strict: strictCompatible(out.schema) };
}

/** The Chat Completions `response_format` for a format. */
export function toChatResponseFormat(format: OutputFormat): Record<string, unknown> {
  if (format.kind === 'json_object') return { type: 'json_object' };
  const schema: Record<string, unknown> = { name: format.name, schema: format.schema, strict: format.strict };
  if (format.description) schema.description = format.description;
  return { type: 'json_schema', json_schema: schema };
}

/** The Responses `text.format` for a format. */
export function toResponsesTextFormat(format: OutputFormat): Record<string, unknown> {
  if (format.kind === 'json_object') return { type: 'json_object' };
  const out: Record<string, unknown> = { type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict };
  if (format.description) out.description = format.description;
  return out;
}

/** The Anthropic `output_config.format` for a format; JSON mode without a schema is refused. */
export function toAnthropicOutputFormat(format: OutputFormat, param: string): Record<string, unknown> {
  if (format.kind === 'json_object') {
    throw notImplemented(
      `This model is served by an Anthropic upstream, which has no JSON mode without a schema: '${param}' of type 'json_object' cannot be honoured. Send a JSON schema ('json_schema') instead.`,
      'response_format_not_supported',
    );
  }
  return { type: 'json_schema', schema: closeObjects(format.schema) };
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
function closeObjects(schema: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...schema };
  if (isObjectSchema(out) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (isObject(out.items)) out.items = closeObjects(out.items);
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(out[key])) out[key] = out[key].map((s: unknown) => (isObject(s) ? closeObjects(s) : s));
  for (const key of SUBSCHEMA_MAPS) {
    if (isObject(out[key])) out[key] = Object.fromEntries(Object.entries(out[key]).map(([k, s]) => [k, isObject(s) ? closeObjects(s) : s]));
  }
  return out;
}
