import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { test } from 'node:test';

/**
 * The layers of src/, bottom up, read from the code's own imports (not from a picture of them):
 * each module may import only the modules listed for it. README's diagram says the same.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  tasks: ['core'],
  encoder: ['core'],
  probe: ['core'],
  results: ['core'],
  viz: ['core', 'results'],
  study: ['core', 'tasks', 'encoder', 'probe', 'results'],
  report: ['core', 'tasks', 'encoder', 'probe', 'results', 'study', 'viz'],
  cli: ['core', 'tasks', 'encoder', 'probe', 'results', 'study', 'viz', 'report'],
};

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Module (top folder under src/) of a file, or `index` for src/index.ts. */
function moduleOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

/** Every relative import (static, re-export or dynamic) of a file, resolved to a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s));
}

test('every module imports only the layers below it', () => {
  const violations: string[] = [];
  const files = sourceFiles(SRC);
  for (const file of files) {
    const from = moduleOf(file);
    if (from === 'index') continue; // the public entry point re-exports every module
    assert.ok(from in ALLOWED, `src/${from} is a module the layer rules do not know: add it to ALLOWED and to README's diagram`);
    for (const target of importsOf(file)) {
      const to = moduleOf(target);
      if (to !== from && !ALLOWED[from].includes(to)) violations.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${from} → ${to})`);
    }
  }
  assert.deepEqual(violations, []);
  assert.ok(files.length > 50, `read ${files.length} files`);
});

test('the rules of issue 9 hold: encoder and tasks apart, probes alone, figures without probes', () => {
  const edges = new Set<string>();
  for (const file of sourceFiles(SRC)) for (const target of importsOf(file)) edges.add(`${moduleOf(file)}→${moduleOf(target)}`);
  for (const forbidden of ['encoder→tasks', 'tasks→encoder', 'probe→tasks', 'probe→encoder', 'probe→study', 'viz→probe']) {
    assert.ok(!edges.has(forbidden), forbidden);
  }
  // The check can fail: the study does compose tasks and encoders.
  assert.ok(edges.has('study→tasks') && edges.has('study→encoder'));
});

test('shared helpers exist once: cosine, row selection, seeded sampling, HTML escaping', () => {
  const definitions = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:function|const)\s+(\w*(?:[cC]osine\w*|[pP]ickRows|[sS]electRows|[sS]ampleRows|[eE]scapeHtml)\w*)\s*[=(<]/g)) {
      definitions.set(m[1], [...(definitions.get(m[1]) ?? []), relative(SRC, file)]);
    }
  }
  const repeated = [...definitions].filter(([, files]) => files.length > 1);
  assert.deepEqual(repeated, []);
  assert.deepEqual(definitions.get('cosineSimilarity'), ['core/vectors.ts']);
  assert.deepEqual(definitions.get('selectRows'), ['core/activations.ts']);
  assert.deepEqual(definitions.get('escapeHtml'), ['core/html.ts']);
});
