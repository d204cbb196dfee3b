import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';

// Dependencies between the folders of src/ point one way: when a folder imports another, the
// other never imports it back, directly or through others. A cycle means a rule or a table has
// two owners, or a use case sits below what it uses.

const SRC = path.resolve('src');
const IMPORT = /from '(\.{1,2}\/[^']+)'/g;

/** The folder (or, for files at the top of src/, the file) a path of src/ belongs to. */
function unitOf(file: string): string | null {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..')) return null;
  return relative.split(path.sep)[0]!;
}

function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const from = unitOf(file)!;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = unitOf(path.resolve(entry.parentPath, specifier!));
      if (to === null || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      graph.set(from, edges);
      if (!edges.has(to)) edges.set(to, path.relative(SRC, file));
    }
  }
  return graph;
}

/** A path of imports from `start` back to itself, if there is one. */
function cycleFrom(graph: Map<string, Map<string, string>>, start: string): string[] | null {
  const seen = new Set<string>();
  const walk = (node: string, trail: string[]): string[] | null => {
    for (const [next, via] of graph.get(node) ?? []) {
      const step = [...trail, `${node} → ${next} (${via})`];
      if (next === start) return step;
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, step);
      if (found) return found;
    }
    return null;
  };
  return walk(start, []);
}

test('no folder of src/ imports, directly or through others, a folder that imports it', (t) => {
  const graph = folderGraph();
  t.true(graph.size > 10, 'the import scan found the folders of src/');
  const cycles = [...graph.keys()].flatMap((folder) => {
    const cycle = cycleFrom(graph, folder);
    return cycle ? [cycle.join('\n  ')] : [];
  });
  t.deepEqual(cycles, [], `folder cycles:\n  ${cycles.join('\n\n  ')}`);
});
