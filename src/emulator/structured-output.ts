// Structured output in the emulator, the way each real API treats it: the request's own parameter
// is read and checked (Chat `response_format`, Responses `text.format`, Anthropic
// `output_config.format` / `output_format`), OpenAI's rules for strict schemas and for JSON mode
// enforced, and the default answer becomes a JSON document that matches the schema.

export type RequestedOutput = { kind: 'json_schema'; schema: Record<string, unknown> } | { kind: 'json_object' };

export interface OutputProblem {
  message: string;
  param: string;
  code: string | null;
}

export type Api = 'chat' | 'responses' | 'anthropic';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isObjectSchema = (s: Record<string, any>) => s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')) || isObject(s.properties);

/** Subschemas one level down, with where they sit (for error messages). */
function children(schema: Record<string, any>, at: string[]): [Record<string, any>, string[]][] {
  const out: [Record<string, any>, string[]][] = [];
  if (isObject(schema.items)) out.push([schema.items, [...at, 'items']]);
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(schema[key])) schema[key].forEach((s: unknown, i: number) => isObject(s) && out.push([s, [...at, key, String(i)]]));
  for (const key of ['properties', '$defs', 'definitions']) if (isObject(schema[key])) for (const [name, s] of Object.entries(schema[key])) if (isObject(s)) out.push([s, [...at, key, name]]);
  return out;
}

/** OpenAI's strict-mode rule: every object closed and every property required. */
function strictProblem(schema: Record<string, any>, at: string[] = []): string | undefined {
  if (isObjectSchema(schema)) {
    const context = `In context=(${at.map((p) => `'${p}'`).join(', ')})`;
    if (schema.additionalProperties !== false) return `${context}, 'additionalProperties' is required to be supplied and to be false.`;
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const missing = Object.keys(isObject(schema.properties) ? schema.properties : {}).find((name) => !required.has(name));
    if (missing) return `${context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
  }
  for (const [child, where] of children(schema, at)) {
    const problem = strictProblem(child, where);
    if (problem) return problem;
  }
  return undefined;
}

/** Anthropic's rule: every object schema says `additionalProperties: false`. */
function openObject(schema: Record<string, any>): boolean {
  if (isObjectSchema(schema) && schema.additionalProperties !== false) return true;
  return children(schema, []).some(([child]) => openObject(child));
}

const mentionsJson = (body: any) => /json/i.test(JSON.stringify([body.messages, body.input, body.instructions]));

function openAIFormat(api: 'chat' | 'responses', body: any): RequestedOutput | OutputProblem | undefined {
  const param = api === 'chat' ? 'response_format' : 'text.format';
  const format = api === 'chat' ? body.response_format : body.text?.format;
  if (format === undefined || format === null || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    if (mentionsJson(body)) return { kind: 'json_object' };
    const where = api === 'chat' ? "'messages' must contain" : 'Response input messages must contain';
    return { message: `${where} the word 'json' in some form, to use '${param}' of type 'json_object'.`, param: api === 'chat' ? 'messages' : 'input', code: null };
  }
  if (format.type !== 'json_schema') return { message: `Invalid value: '${format.type}'. Supported values are: 'text', 'json_object', and 'json_schema'.`, param: `${param}.type`, code: 'invalid_value' };
  const spec = api === 'chat' ? format.json_schema : format;
  const prefix = api === 'chat' ? `${param}.json_schema` : param;
  if (typeof spec?.name !== 'string' || !spec.name) return { message: `Missing required parameter: '${prefix}.name'.`, param: `${prefix}.name`, code: 'missing_required_parameter' };
  const schema = isObject(spec.schema) ? spec.schema : { type: 'object' };
  if (spec.strict === true) {
    const problem = strictProblem(schema);
    if (problem) return { message: `Invalid schema for response_format '${spec.name}': ${problem}`, param: `${prefix}.schema`, code: 'invalid_json_schema' };
  }
  return { kind: 'json_schema', schema };
}

function anthropicFormat(body: any): RequestedOutput | OutputProblem | undefined {
  for (const name of ['response_format', 'text']) {
    if (body[name] !== undefined) return { message: `${name}: Extra inputs are not permitted`, param: name, code: null };
  }
  const [format, param] = isObject(body.output_config?.format) ? [body.output_config.format, 'output_config.format'] : [body.output_format, 'output_format'];
  if (format === undefined || format === null) return undefined;
  if (format.type !== 'json_schema') return { message: `${param}.type: Input should be 'json_schema'`, param, code: null };
  if (!isObject(format.schema)) return { message: `${param}.schema: Field required`, param, code: null };
  if (openObject(format.schema)) return { message: `${param}.schema: For 'object' type, 'additionalProperties' must be explicitly set to false`, param, code: null };
  return { kind: 'json_schema', schema: format.schema };
}

/** The structured output a request asks for, or the problem the real API would answer with. */
export function requestedOutput(api: Api, body: any): RequestedOutput | OutputProblem | undefined {
  return api === 'anthropic' ? anthropicFormat(body) : openAIFormat(api, body);
}

export const isProblem = (v: RequestedOutput | OutputProblem | undefined): v is OutputProblem => !!v && 'message' in v;

function resolveRef(ref: string, root: Record<string, any>): Record<string, any> {
  let node: any = root;
  for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean)) node = node?.[part];
  return isObject(node) ? node : {};
}

/** A value that satisfies `schema` (the common subset: types, enums, consts, refs, unions, bounds). */
export function sampleOf(schema: Record<string, any>, root: Record<string, any> = schema, depth = 0): unknown {
  if (depth > 8) return null;
  if (typeof schema.$ref === 'string') return sampleOf(resolveRef(schema.$ref, root), root, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf']) if (Array.isArray(schema[key]) && schema[key].length) return sampleOf(schema[key][0], root, depth + 1);
  if (Array.isArray(schema.allOf) && schema.allOf.length) return sampleOf(Object.assign({}, ...schema.allOf), root, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') ?? 'null' : schema.type ?? (isObject(schema.properties) ? 'object' : 'string');
  if (type === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(isObject(schema.properties) ? schema.properties : {})) out[name] = sampleOf(property as Record<string, any>, root, depth + 1);
    return out;
  }
  if (type === 'array') return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sampleOf(isObject(schema.items) ? schema.items : {}, root, depth + 1));
  const lowest = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1;
  if (type === 'integer') return Math.ceil(lowest);
  if (type === 'number') return lowest;
  if (type === 'boolean') return true;
  if (type === 'null') return null;
  if (schema.format === 'date-time') return '2025-01-01T00:00:00Z';
  if (schema.format === 'date') return '2025-01-01';
  if (schema.format === 'email') return 'user@example.com';
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
  if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  return 'sample'.padEnd(schema.minLength ?? 0, '.');
}

/** The text the emulated model answers with when asked for structured output. */
export function structuredText(output: RequestedOutput, defaultText: string): string {
  if (output.kind === 'json_object') return JSON.stringify({ answer: defaultText });
  return JSON.stringify(sampleOf(output.schema));
}
