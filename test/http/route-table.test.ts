// The model routes come from the adapter registry: every format's client path is routed, plain and
// behind the /compact prefix, and the table clients know is unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRoutes } from '../../src/app.ts';
import { adapterFor, WIRE_FORMATS } from '../../src/adapters/registry.ts';

test('every adapter\'s client path is a route, plain and under /compact', () => {
  const routes = buildRoutes();
  for (const format of WIRE_FORMATS) {
    const { clientPath } = adapterFor(format);
    assert.equal(typeof routes[`POST ${clientPath}`], 'function', `POST ${clientPath}`);
    assert.equal(typeof routes[`POST /compact${clientPath}`], 'function', `POST /compact${clientPath}`);
  }
});

test('the route table is the one clients know', () => {
  assert.deepEqual(Object.keys(buildRoutes()).sort(), [
    'GET /healthz', 'GET /metrics', 'GET /v1/models', 'GET /v1/models/*', 'GET /compact/v1/models', 'GET /compact/v1/models/*',
    'POST /v1/chat/completions', 'POST /v1/responses', 'POST /v1/responses/compact', 'POST /v1/messages', 'POST /v1/messages/count_tokens',
    'POST /compact/v1/chat/completions', 'POST /compact/v1/responses', 'POST /compact/v1/responses/compact', 'POST /compact/v1/messages',
    'POST /compact/v1/messages/count_tokens',
  ].sort());
});
