// Chat Completions `response_format` ⇄ the neutral structured-output format.
import { isObject, schemaFormat, unknownType, type OutputFormat } from '../../conversation/structured-output.ts';

/** The chat `response_format` asked for (undefined for none or plain text). */
export function chatOutputFormat(body: Record<string, any>): OutputFormat | undefined {
  const format = body.response_format;
  if (format === undefined || format === null) return undefined;
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { kind: 'json_object' };
  if (format.type === 'json_schema') return schemaFormat(isObject(format.json_schema) ? format.json_schema : {}, 'response_format.json_schema', false);
  return unknownType('response_format', format?.type);
}

/** The chat `response_format` for a format. */
export function toChatResponseFormat(format: OutputFormat): Record<string, unknown> {
  if (format.kind === 'json_object') return { type: 'json_object' };
  const schema: Record<string, unknown> = { name: format.name, schema: format.schema, strict: format.strict };
  if (format.description) schema.description = format.description;
  return { type: 'json_schema', json_schema: schema };
}
