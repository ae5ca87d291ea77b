#!/usr/bin/env node
// @ts-check
// The module dependency picture of the API: which module imports which, and every import cycle
// between modules (a module is a folder under api/src/modules or api/src/infra, or a top-level
// file of api/src). Tests and contract suites are left out: they may drive several modules.
// `npm run deps:graph` prints it; `--check` exits 1 when any cycle exists (CI runs it).
import { cruise } from 'dependency-cruiser';

const check = process.argv.includes('--check');
const result = await cruise(['api/src'], {
  doNotFollow: { path: 'node_modules' },
  // Type-only imports count: they tie modules together as much as values do.
  tsPreCompilationDeps: true,
  exclude: { path: String.raw`\.test\.ts$|\.contract\.ts$|/migrations/` },
});
const output = result.output;
if (typeof output === 'string') throw new Error('dependency-cruiser returned text instead of a graph');

/** @param {string} file */
const moduleOf = (file) => {
  const m = /^api\/src\/((?:modules|infra)\/[^/]+|[^/]+)/.exec(file);
  return m ? (m[1] ?? '').replace(/\.ts$/, '') : null;
};

/** @type {Map<string, Set<string>>} */
const edges = new Map();
for (const mod of output.modules) {
  const from = moduleOf(mod.source);
  if (!from) continue;
  if (!edges.has(from)) edges.set(from, new Set());
  for (const dep of mod.dependencies) {
    const to = moduleOf(dep.resolved);
    if (to && to !== from) edges.get(from)?.add(to);
  }
}

/** Every elementary cycle, each listed once from its smallest member (the graph has ~20 nodes). */
function cycles() {
  /** @type {string[][]} */
  const found = [];
  const nodes = [...edges.keys()].sort();
  for (const start of nodes) {
    /** @param {string} node @param {string[]} path */
    const walk = (node, path) => {
      for (const next of edges.get(node) ?? []) {
        if (next === start) found.push([...path, start]);
        else if (next > start && !path.includes(next)) walk(next, [...path, next]);
      }
    };
    walk(start, [start]);
  }
  return found;
}

console.log('Module dependencies of api/src (tests excluded):');
for (const [from, tos] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${from.padEnd(18)} -> ${[...tos].sort().join(', ') || '(nothing)'}`);
}
const found = cycles();
console.log(`\nImport cycles between modules: ${found.length}`);
for (const cycle of found) console.log(`  ${cycle.join(' -> ')}`);
if (check && found.length > 0) process.exit(1);
