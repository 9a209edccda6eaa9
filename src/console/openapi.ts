// The admin API's OpenAPI 3.1 document, generated from the operation list and its zod schemas.
// Run `node src/console/openapi.ts > docs/console/openapi.json` to refresh the copy in the docs.
import { z } from 'zod';
import { ADMIN_OPERATIONS, type AdminOperation } from './operations.ts';
import { errorSchema } from './admin-schemas.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ERROR_RESPONSES: Record<string, string> = {
  400: 'Invalid input; `error.param` names the field',
  401: 'Missing or invalid admin token (API keys are refused)',
  404: 'No such resource',
  409: 'Conflict with the current state (already exists, already revoked, still in use)',
};

function operationObject(op: AdminOperation): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const match of op.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (op.query) {
    const query = schemaOf(op.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) });
    }
  }
  const responses: JsonSchema = {
    [op.status]: { description: op.summary, content: { 'application/json': { schema: schemaOf(op.response, 'output') } } },
  };
  for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
    if (status === '400' && !op.body && !op.query) continue;
    if (status === '404' && !op.path.includes('{')) continue;
    if (status === '409' && !['POST', 'PATCH', 'DELETE'].includes(op.method)) continue;
    responses[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: `${op.method.toLowerCase()}${op.path.replace('/admin/api', '').replace(/\{(\w+)\}/g, 'By_$1').split('/').filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('')}`,
    tags: [op.tag],
    summary: op.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(version = '0.1.0'): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of ADMIN_OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path][op.method.toLowerCase()] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'compact-relay admin API',
      version,
      description: 'Manage keys, groups and channels and read usage, compaction savings and the audit log. Every call needs `Authorization: Bearer <admin token>` (COMPACT_RELAY_ADMIN_TOKEN, or the token printed at first start); API keys are refused. Every change is written to the audit log. Errors use the OpenAI error shape.',
    },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }],
    tags: [
      { name: 'session', description: 'Sign-in check' },
      { name: 'keys', description: 'API keys: secrets are shown once, at creation' },
      { name: 'groups', description: 'Groups: allowed models, compaction policy, limits' },
      { name: 'channels', description: 'Upstream channels: upstream keys are write-only' },
      { name: 'usage', description: 'Usage rows and aggregates, including compaction savings' },
      { name: 'audit', description: 'Who changed what, and when' },
    ],
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token' } },
      schemas: { Error: schemaOf(errorSchema, 'output') },
    },
  };
}

if (import.meta.main) process.stdout.write(JSON.stringify(buildOpenApiDocument(), null, 2) + '\n');
