// Anthropic `output_config.format` (or the older beta `output_format`) ⇄ the neutral
// structured-output format. Anthropic has no plain JSON mode: asking one of it is refused (501).
import { badRequest, notImplemented } from '../../errors.ts';
import { closeObjects, isObject, schemaFormat, strictCompatible, type OutputFormat } from '../../conversation/structured-output.ts';

/** The format asked for and the parameter that asked: always enforced, like OpenAI's strict mode. */
export function anthropicOutputFormat(body: Record<string, any>): { format: OutputFormat; param: string } | undefined {
  const [format, param] = isObject(body.output_config?.format) ? [body.output_config.format, 'output_config.format'] : [body.output_format, 'output_format'];
  if (format === undefined || format === null) return undefined;
  if (format.type !== 'json_schema') throw badRequest(`${param}.type: Input should be 'json_schema'`, `${param}.type`, 'invalid_value');
  const out = schemaFormat(format, param, true);
  // OpenAI's strict mode accepts only closed objects whose properties are all required.
  return { format: { ...out, strict: strictCompatible(out.schema) }, param };
}

/** The Anthropic `output_config.format` for a format; JSON mode without a schema (asked with `param`) is refused. */
export function toAnthropicOutputFormat(format: OutputFormat, param: string): Record<string, unknown> {
  if (format.kind === 'json_object') {
    throw notImplemented(
      `This model is served by an Anthropic upstream, which has no JSON mode without a schema: '${param}' of type 'json_object' cannot be honoured. Send a JSON schema ('json_schema') instead.`,
      'response_format_not_supported',
    );
  }
  return { type: 'json_schema', schema: closeObjects(format.schema) };
}
