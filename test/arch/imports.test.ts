// The layering rules of src/, checked on every `npm test`: no import cycles, nothing below the
// HTTP layer imports from http/ (use cases see a request scope and a response sink instead), and
// nothing below the use cases imports them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { findCycles, importGraph, upwardImports } from '../../scripts/import-graph.ts';

const graph = importGraph(fileURLToPath(new URL('../../src/', import.meta.url)));

test('the import graph of src/ is read (a broken reader would pass every rule below)', () => {
  assert.ok(graph.size > 100, `only ${graph.size} modules found`);
  assert.ok(graph.get('http/server.ts')?.includes('http/respond.ts'), 'http/server.ts imports ./respond.ts and the reader should see it');
  assert.ok((graph.get('app.ts') ?? []).some((m) => m.startsWith('http/')), 'app.ts imports http/ and the reader should see it');
});

test('src/ has no import cycles (type-only imports included)', () => {
  const cycles = findCycles(graph).map((c) => [...c, c[0]].join(' → '));
  assert.deepEqual(cycles, [], `move the types both sides need into a small module of their own:\n${cycles.join('\n')}`);
});

test('no module below the HTTP layer imports from http/', () => {
  const upward = upwardImports(graph);
  assert.deepEqual(upward, [], `take a RequestScope (request/scope.ts) and write to its ResponseSink instead:\n${upward.join('\n')}`);
});

/** Layers allowed to import a use case: the HTTP layer and what sits beside or above it, and the use cases themselves. */
const MAY_IMPORT_USE_CASES = [/^http\//, /^console\//, /^cli\//, /^use-cases\//, /^app\.ts$/];

test('no module below the use cases imports from use-cases/', () => {
  const upward: string[] = [];
  for (const [from, targets] of graph) {
    if (MAY_IMPORT_USE_CASES.some((p) => p.test(from))) continue;
    for (const to of targets) if (to.startsWith('use-cases/')) upward.push(`${from} → ${to}`);
  }
  assert.deepEqual(upward, [], `a use case calls the layers below it, never the other way round:\n${upward.join('\n')}`);
});

test('the rules do catch a cycle and an upward import', () => {
  const bad = new Map([
    ['upstream/a.ts', ['upstream/b.ts', 'http/server.ts']],
    ['upstream/b.ts', ['upstream/a.ts']],
    ['http/server.ts', []],
  ]);
  assert.deepEqual(findCycles(bad), [['upstream/a.ts', 'upstream/b.ts']]);
  assert.deepEqual(upwardImports(bad), ['upstream/a.ts → http/server.ts']);
});
