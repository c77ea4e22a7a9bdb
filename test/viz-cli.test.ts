// `layerwise plot`: results CSV in, figure files out; bad arguments fail in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultsCsv } from '../src/results/csv.js';
import type { ResultRow } from '../src/results/types.js';
import { writeFileAtomic } from '../src/core/atomic.js';
import { cli, tempDir } from './helpers.js';

function resultsFile(dir: string): string {
  const rows: ResultRow[] = [];
  for (const [task, peak] of [['upos', 2], ['sst2', 3]] as const) {
    for (let layer = 0; layer < 5; layer++) for (let seed = 0; seed < 2; seed++) {
      rows.push({ task, layer, probe: 'linear', seed, metric: 'accuracy', value: 0.9 - 0.1 * Math.abs(layer - peak) + 0.01 * seed });
    }
  }
  const path = join(dir, 'results.csv');
  writeFileAtomic(path, formatResultsCsv(rows));
  return path;
}

test('layerwise plot writes the HTML and SVG of a heat map, then exits', () => {
  const dir = tempDir('layerwise-plot-');
  try {
    const results = resultsFile(dir);
    const out = join(dir, 'figs', 'heat');
    const r = cli(['plot', '--results', results, '--out', out, '--kind', 'heatmap', '--formats', 'html,svg']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [`${out}.html`, `${out}.svg`]);
    assert.ok(!existsSync(`${out}.png`));
    const svg = readFileSync(`${out}.svg`, 'utf8');
    // upos is a syntax task and sst2 a semantics one in the task registry.
    for (const text of ['>upos<', '>sst2<', '>syntax<', '>semantics<', '>Layer<']) assert.ok(svg.includes(text), `svg lacks ${text}`);
    assert.ok(readFileSync(`${out}.html`, 'utf8').includes('"upos"'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('layerwise plot rejects bad arguments with one clear line', () => {
  const dir = tempDir('layerwise-plot-');
  try {
    const results = resultsFile(dir);
    const out = join(dir, 'x');
    const cases: [string[], RegExp, number][] = [
      [['--out', out], /--results is required/, 2],
      [['--results', results, '--out', out, '--kind', 'pie'], /--kind must be one of curves, heatmap, got "pie"/, 2],
      [['--results', results, '--out', out, '--formats', 'html,gif'], /--formats takes a comma-separated list of html, png, svg/, 2],
      [['--results', results, '--out', out, '--metric', 'mdl_bits', '--formats', 'html'], /^layerwise plot: no "mdl_bits" rows in the results; metrics present: accuracy$/m, 1],
      [['--results', results, '--out', out, '--tasks', 'upos,ner', '--formats', 'html'], /no results for task\(s\) ner; tasks present: upos, sst2/, 1],
    ];
    for (const [args, message, status] of cases) {
      const r = cli(['plot', ...args]);
      assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!existsSync(`${out}.html`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
