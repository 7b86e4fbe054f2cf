/**
 * The feedback modules import each other one way: the contract (store.ts) knows no backend, the backends import the
 * contract, and open.ts picks a backend. A circle (store.ts importing a backend that imports store.ts) loads in
 * whichever order the first importer happens to use, which is how half-initialised modules come about.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';

const DIR = resolve(import.meta.dirname, '../../src/lib/feedback');

/** Each module's imports of its siblings, static (`from './x.ts'`) and dynamic (`import('./x.ts')`) alike. */
function graph(): Map<string, string[]> {
  const modules = readdirSync(DIR).filter((name) => name.endsWith('.ts'));
  return new Map(
    modules.map((name) => {
      const text = readFileSync(join(DIR, name), 'utf8');
      const targets = [...text.matchAll(/(?:from\s+|import\s*\()\s*'\.\/([\w-]+\.ts)'/g)].map((m) => m[1]!);
      return [name, [...new Set(targets)]];
    }),
  );
}

function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of edges.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const node of edges.keys()) visit(node, [node]);
  return found;
}

describe('the feedback modules', () => {
  test('import each other without a circle', () => {
    assert.deepEqual(
      cycles(graph()).map((cycle) => cycle.join(' → ')),
      [],
    );
  });

  test('keep the backends out of the contract: only open.ts imports them', () => {
    const importers = [...graph()]
      .filter(([, targets]) => targets.some((t) => t === 'sqlite.ts' || t === 'postgres.ts'))
      .map(([name]) => name);
    assert.deepEqual(importers, ['open.ts']);
  });
});
