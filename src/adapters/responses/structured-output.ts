// Responses `text.format` ⇄ the neutral structured-output format.
import { schemaFormat, unknownType, type OutputFormat } from '../../conversation/structured-output.ts';

/** The Responses `text.format` asked for (undefined for none or plain text). */
export function responsesOutputFormat(body: Record<string, any>): OutputFormat | undefined {
  const format = body.text?.format;
  if (format === undefined || format === null || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { kind: 'json_object' };
  if (format.type === 'json_schema') return schemaFormat(format, 'text.format', false);
  return unknownType('text.format', format?.type);
}

/** The Responses `text.format` for a format. */
export function toResponsesTextFormat(format: OutputFormat): Record<string, unknown> {
  if (format.kind === 'json_object') return { type: 'json_object' };
  const out: Record<string, unknown> = { type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict };
  if (format.description) out.description = format.description;
  return out;
}
