// Type checks on the parts of a request body the relay decodes (messages, input, tools, system),
// so that a malformed body is a 400 naming the field instead of a 500 from deep inside a decoder:
// lists of messages, items, content parts, tool calls and tools hold objects, and the fields read
// as text (ids, names, roles, types, arguments, text) are strings. Free-form client data (tool
// schemas, tool inputs, metadata) is not looked into.
import { badRequest } from '../errors.ts';

/** Fields the decoders read as text. */
const STRING_FIELDS = new Set([
  'role', 'type', 'id', 'name', 'call_id', 'tool_call_id', 'tool_use_id', 'arguments', 'text', 'thinking',
  'signature', 'url', 'media_type', 'data', 'detail', 'refusal', 'encrypted_content', 'status',
]);
/** Lists whose entries must be objects (a string `content` or `output` is checked by its own rules). */
const OBJECT_LISTS = new Set(['messages', 'input', 'content', 'tool_calls', 'tools', 'summary', 'output', 'system']);
/** Client data the relay passes on without reading its structure. */
const FREE_FORM = new Set(['parameters', 'input_schema', 'schema', 'metadata', 'input', 'annotations', 'logprobs', 'cache_control', 'citations', 'env', 'action']);
/** Top-level fields checked; the rest of the body is the upstream's to judge. */
const CHECKED_FIELDS = ['messages', 'input', 'tools', 'system'];

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const invalid = (path: string, expected: string) => badRequest(`"${path}" must be ${expected}.`, path, 'invalid_type');

function checkObject(value: Record<string, unknown>, path: string): void {
  for (const key of Object.keys(value)) {
    const field = value[key];
    const at = `${path}.${key}`;
    if (field === null || field === undefined) continue;
    // A custom tool call's `input` is its text; elsewhere `input` is free-form tool input.
    if (key === 'input' && value.type === 'custom_tool_call' && typeof field !== 'string') throw invalid(at, 'a string');
    if (FREE_FORM.has(key)) continue;
    if (STRING_FIELDS.has(key)) {
      if (typeof field !== 'string') throw invalid(at, 'a string');
    } else if (Array.isArray(field)) {
      if (OBJECT_LISTS.has(key)) checkList(field, at);
    } else if (isObject(field)) checkObject(field, at);
  }
}

function checkList(list: unknown[], path: string): void {
  list.forEach((entry, i) => {
    if (!isObject(entry)) throw invalid(`${path}[${i}]`, 'an object');
    checkObject(entry, `${path}[${i}]`);
  });
}

/** Throws a 400 naming the first malformed part of `messages`, `input`, `tools` or `system`. */
export function checkBodyShape(body: Record<string, unknown>): void {
  for (const field of CHECKED_FIELDS) {
    const value = body[field];
    if (Array.isArray(value)) checkList(value, field);
    else if (isObject(value)) throw invalid(field, field === 'input' || field === 'system' ? 'a string or an array of objects' : 'an array of objects');
  }
}
