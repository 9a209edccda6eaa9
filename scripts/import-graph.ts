// The import graph of src/: every relative import between modules, its cycles, and the imports
// that reach up into the HTTP layer from below. Used by test/arch/imports.test.ts and runnable on
// its own (`node scripts/import-graph.ts`) to print what it finds.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

/** Module (path relative to src/, e.g. `http/server.ts`) → the modules it imports. */
export function importGraph(srcRoot: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(srcRoot, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(join(srcRoot, file), 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      targets.add(relative(srcRoot, resolve(dirname(join(srcRoot, file)), spec)));
    }
    graph.set(file, [...targets].filter((t) => t.endsWith('.ts')));
  }
  return graph;
}

/** Every elementary cycle found by a depth-first search, each listed once from its smallest module. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(canonical.join(' → '), canonical);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

/** Layers allowed to import from `http/`: the HTTP layer itself, the console, the composition root and the CLI that starts the server. */
const MAY_IMPORT_HTTP = [/^http\//, /^console\//, /^app\.ts$/, /^cli\//];

/** Imports into `http/` from modules below it, as `from → to`. */
export function upwardImports(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    if (MAY_IMPORT_HTTP.some((p) => p.test(from))) continue;
    for (const to of targets) if (to.startsWith('http/')) found.push(`${from} → ${to}`);
  }
  return found.sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph(fileURLToPath(new URL('../src/', import.meta.url)));
  const cycles = findCycles(graph);
  const upward = upwardImports(graph);
  console.log(`${graph.size} modules; ${cycles.length} cycles; ${upward.length} upward imports into http/`);
  for (const c of cycles) console.log(`cycle: ${c.join(' → ')} → ${c[0]}`);
  for (const u of upward) console.log(`upward: ${u}`);
  process.exitCode = cycles.length + upward.length > 0 ? 1 : 0;
}
