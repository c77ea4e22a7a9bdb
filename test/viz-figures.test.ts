// Figure builders: what they put in the Plotly figure, checked against values computed another way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { ResultRow } from '../src/results/types.js';
import { ActivationCache, LayerStack } from '../src/core/activations.js';
import { Random } from '../src/core/random.js';
import { expectedLayer } from '../src/results/summary.js';
import {
  attentionEntropy,
  attentionMap,
  attentionOverview,
  contextSimilarity,
  embeddingScatter,
  firstTokenAttention,
  layerCurves,
  layerHeatmap,
  layerSimilarity,
  linearCKA,
  pca,
  type Figure,
} from '../src/viz/index.js';

type Trace = Record<string, any>;
const traces = (fig: Figure): Trace[] => fig.data as Trace[];
const byName = (fig: Figure, name: string): Trace => {
  const t = traces(fig).find((d) => d.name === name);
  assert.ok(t, `no trace named "${name}"; have ${traces(fig).map((d) => d.name).join(', ')}`);
  return t;
};

/** Hand-made results: 3 tasks × 5 layers × 3 seeds; task i peaks at layer i + 1 (value = 0.5 + 0.1·(layer closeness) + seed noise). */
const TASKS = ['wordlen', 'upos', 'sst2'];
const SEED_NOISE = [-0.01, 0, 0.01];
function syntheticRows(): ResultRow[] {
  const rows: ResultRow[] = [];
  TASKS.forEach((task, ti) => {
    for (let layer = 0; layer < 5; layer++) {
      SEED_NOISE.forEach((noise, seed) => {
        rows.push({ task, layer, probe: 'linear', seed, metric: 'accuracy', value: 0.9 - 0.1 * Math.abs(layer - (ti + 1)) + noise * (layer + 1) });
        rows.push({ task, layer, probe: 'mlp', seed, metric: 'accuracy', value: 0.2 });
        rows.push({ task, layer, probe: 'linear', seed, metric: 'control_accuracy', value: 0.3 + 0.01 * layer });
      });
    }
    rows.push({ task, layer: -1, probe: 'majority', seed: 0, metric: 'accuracy', value: 0.25 + ti * 0.05 });
  });
  return rows;
}

test('layerCurves: mean line, 95% t-interval band over seeds (scipy) without bootstrap rows, best layer, baselines and layer ticks', () => {
  const rows = syntheticRows();
  const fig = layerCurves(rows);
  const upos = byName(fig, 'upos');
  assert.deepEqual(upos.x, [0, 1, 2, 3, 4]);
  const expectedMeans = [0.7, 0.8, 0.9, 0.8, 0.7]; // noise is symmetric over seeds
  upos.y.forEach((v: number, l: number) => assert.ok(Math.abs(v - expectedMeans[l]) < 1e-12));
  // The band: high over layers then low backwards, equal to scipy's t-interval over the three seeds.
  const band = byName(fig, 'upos 95% CI');
  const ref: number[][] = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `
import json, scipy.stats as st, numpy as np
out = []
for layer in range(5):
    v = np.array([0.9 - 0.1 * abs(layer - 2) + n * (layer + 1) for n in (-0.01, 0, 0.01)])
    out.append(list(st.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=st.sem(v))))
print(json.dumps(out))`], { encoding: 'utf8' }));
  ref.forEach(([low, high], l) => {
    assert.ok(Math.abs(band.y[l] - high) < 1e-4, `upper CI at layer ${l}`);
    assert.ok(Math.abs(band.y[9 - l] - low) < 1e-4, `lower CI at layer ${l}`);
  });
  const best = byName(fig, 'upos best layer');
  assert.deepEqual(best.x, [2]);
  const majority = byName(fig, 'upos majority baseline');
  assert.deepEqual(majority.x, [0, 4]);
  assert.deepEqual(majority.y, [0.3, 0.3]);
  assert.equal(majority.line.dash, 'dash');
  const control = byName(fig, 'upos control task');
  assert.equal(control.line.dash, 'dot');
  assert.ok(Math.abs(control.y[4] - 0.34) < 1e-12);
  assert.deepEqual(fig.layout.xaxis?.ticktext, ['emb', '1', '2', '3', '4']);
  assert.equal((fig.layout.yaxis?.title as { text: string }).text, 'accuracy');
  // Only the linear probe's values were plotted (the mlp rows are all 0.2).
  assert.ok(upos.y.every((v: number) => v > 0.5));
  // tasks and probe select; baselines only for accuracy; unknown tasks fail in one clear line.
  assert.deepEqual(traces(layerCurves(rows, { tasks: ['sst2'] })).filter((t) => t.mode === 'lines+markers').map((t) => t.name), ['sst2']);
  assert.ok(byName(layerCurves(rows, { probe: 'mlp' }), 'wordlen').y.every((v: number) => Math.abs(v - 0.2) < 1e-12));
  assert.ok(!traces(layerCurves(rows, { metric: 'control_accuracy' })).some((t) => /majority/.test(t.name)));
  assert.throws(() => layerCurves(rows, { tasks: ['nope'] }), /no results for task\(s\) nope; tasks present: wordlen, upos, sst2/);
  assert.throws(() => layerCurves(rows, { metric: 'mdl_bits' }), /no "mdl_bits" rows/);
  // One seed: no band (a t-interval needs two).
  assert.ok(!traces(layerCurves(rows.filter((r) => r.seed === 0))).some((t) => / 95% CI$/.test(t.name)));
});

test('layerCurves: the accuracy band is the bootstrap interval over test sentences, the star the best dev layer', () => {
  const rows: ResultRow[] = [];
  [0.6, 0.8, 0.75].forEach((value, layer) => {
    rows.push({ task: 't', layer, probe: 'linear', seed: 0, metric: 'accuracy', value });
    rows.push({ task: 't', layer, probe: 'linear', seed: 0, metric: 'ci_low', value: value - 0.05 });
    rows.push({ task: 't', layer, probe: 'linear', seed: 0, metric: 'ci_high', value: value + 0.04 });
    rows.push({ task: 't', layer, probe: 'linear', seed: 0, metric: 'dev_accuracy', value: [0.6, 0.7, 0.9][layer] });
  });
  rows.push({ task: 't', layer: -1, probe: 'length', seed: 0, metric: 'accuracy', value: 0.55 });
  const fig = layerCurves(rows);
  const band = byName(fig, 't 95% CI');
  [0.64, 0.84, 0.79].forEach((high, l) => assert.ok(Math.abs(band.y[l] - high) < 1e-12));
  [0.55, 0.75, 0.7].forEach((low, l) => assert.ok(Math.abs(band.y[5 - l] - low) < 1e-12));
  assert.deepEqual(byName(fig, 't best layer').x, [2]); // dev chooses layer 2, though test peaks at 1
  assert.deepEqual(byName(fig, 't length baseline').y, [0.55, 0.55]);
  assert.match(String((fig.layout.title as { text: string }).text), /bootstrap CI over test sentences/);
});

test('layerCurves stars the minimum for description length (lower is better)', () => {
  const rows: ResultRow[] = [3, 1, 2].map((value, layer) => ({ task: 't', layer, probe: 'linear', seed: 0, metric: 'mdl_bits', value }));
  assert.deepEqual(byName(layerCurves(rows, { metric: 'mdl_bits' }), 't best layer').x, [1]);
});

test('expectedLayer is the centre of gravity of the per-layer gains', () => {
  // gains: layer 1 +0.2, layer 2 +0.2, layer 3 −0.1 (ignored) → (1·0.2 + 2·0.2) / 0.4 = 1.5
  assert.ok(Math.abs(expectedLayer([0.5, 0.7, 0.9, 0.8]) - 1.5) < 1e-12);
  assert.equal(expectedLayer([0.9, 0.8, 0.7]), 0);
  assert.ok(Math.abs(expectedLayer([0.5, NaN, 0.9]) - 2) < 1e-12);
});

test('layerHeatmap: rows grouped by category, min–max per task, raw values as text, expected layers', () => {
  const rows = syntheticRows();
  const categories = { sst2: 'semantics', wordlen: 'surface', upos: 'syntax' };
  const fig = layerHeatmap(rows, { categories, tasks: ['sst2', 'upos', 'wordlen'] });
  const [heat, marks] = traces(fig);
  assert.deepEqual(heat.y, [['surface', 'syntax', 'semantics'], ['wordlen', 'upos', 'sst2']]);
  for (const row of heat.z as number[][]) {
    assert.equal(Math.min(...row), 0);
    assert.equal(Math.max(...row), 1);
  }
  // upos means 0.7 0.8 0.9 0.8 0.7 → normalised (v − 0.7) / 0.2
  [0, 0.5, 1, 0.5, 0].forEach((v, l) => assert.ok(Math.abs(heat.z[1][l] - v) < 1e-9));
  assert.deepEqual(heat.text[1], ['0.70', '0.80', '0.90', '0.80', '0.70']);
  // Expected layers: wordlen gains only at 1 → 1; upos at 1 and 2 → 1.5; sst2 at 1, 2, 3 → 2.
  [1, 1.5, 2].forEach((v, i) => assert.ok(Math.abs(marks.x[i] - v) < 1e-9, `expected layer of ${heat.y[1][i]}`));
  const withSummaries = layerHeatmap(rows, { categories, summaries: [{ task: 'upos', best_layer: 2, best_accuracy: 0.9, expected_layer: 3.25, selectivity: NaN, mdl_kbits: NaN }] });
  const uposRow = (traces(withSummaries)[0].y[1] as string[]).indexOf('upos');
  assert.equal(traces(withSummaries)[1].x[uposRow], 3.25);
  // Tasks without a category go last, under "other".
  assert.deepEqual(traces(layerHeatmap(rows, { categories: { upos: 'syntax' } }))[0].y[0], ['syntax', 'other', 'other']);
});

function layerStack(rows: number, dim: number, numLayers: number, seed: number): LayerStack {
  const rng = new Random(seed);
  const layers = Array.from({ length: numLayers }, (_, l) => l);
  return new LayerStack(layers, layers.map(() => Float32Array.from({ length: rows * dim }, () => rng.normal())), rows, dim);
}

test('embeddingScatter: one trace per layer and label, points are the PCA scores, hover texts escaped', () => {
  const emb = layerStack(30, 6, 4, 5);
  const labels = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 'NOUN' : 'VERB'));
  const texts = labels.map((l, i) => `<s> ${l} ${i}`);
  const fig = embeddingScatter(emb, { labels, texts, layers: [0, 3] });
  const ts = traces(fig);
  assert.equal(ts.length, 4);
  assert.deepEqual(ts.map((t) => [t.name, t.xaxis, t.showlegend]), [['NOUN', 'x', true], ['VERB', 'x', true], ['NOUN', 'x2', false], ['VERB', 'x2', false]]);
  const scores = pca(emb.layer(3).data, 30, 6, 2).scores;
  const verbRows = labels.flatMap((l, i) => (l === 'VERB' ? [i] : []));
  assert.deepEqual(ts[3].x, verbRows.map((r) => scores[r * 2]));
  assert.deepEqual(ts[3].y, verbRows.map((r) => scores[r * 2 + 1]));
  assert.equal(ts[0].text[0], '&lt;s&gt; NOUN 0');
  assert.deepEqual(fig.layout.annotations?.map((a) => a.text), ['layer emb', 'layer 3']);
  // Default layers: embeddings, middle, last; subsampling keeps maxPoints rows.
  assert.deepEqual(fig.layout.annotations && embeddingScatter(emb, { labels }).layout.annotations?.map((a) => a.text), ['layer emb', 'layer 2', 'layer 3']);
  const sampled = embeddingScatter(emb, { labels, maxPoints: 10, layers: [1] });
  assert.equal(traces(sampled).reduce((s, t) => s + t.x.length, 0), 10);
  assert.throws(() => embeddingScatter(emb, { labels: labels.slice(1) }), /29 labels for 30 rows/);
  assert.throws(() => embeddingScatter(emb, { labels, layers: [4] }), /layer\(s\) 4 not in the embeddings \(layers emb, 1, 2, 3\)/);
});

test('layerSimilarity: CKA heat map with layer names and unit diagonal', () => {
  const emb = layerStack(20, 5, 3, 9);
  const fig = layerSimilarity(emb);
  const [heat] = traces(fig);
  assert.deepEqual(heat.x, ['emb', '1', '2']);
  assert.equal(heat.z[1][1], 1);
  assert.ok(Math.abs(heat.z[0][2] - linearCKA(emb.layer(0).data, emb.layer(2).data, 20, 5, 5)) < 1e-12);
});

test('contextSimilarity: one line per pair, cosine per layer, pairs by label or index', () => {
  const items = [
    { label: 'bank (river)', hiddenStates: [Float32Array.of(1, 0), Float32Array.of(1, 1), Float32Array.of(0, 1)] },
    { label: 'bank (loan)', hiddenStates: [Float32Array.of(1, 0), Float32Array.of(1, 0), Float32Array.of(1, 0)] },
  ];
  const fig = contextSimilarity(items, [['bank (river)', 1]]);
  const [line] = traces(fig);
  assert.equal(line.name, 'bank (river) ↔ bank (loan)');
  [1, Math.SQRT1_2, 0].forEach((v, l) => assert.ok(Math.abs(line.y[l] - v) < 1e-7));
  assert.deepEqual(fig.layout.xaxis?.ticktext, ['emb', '1', '2']);
  assert.throws(() => contextSimilarity(items, [['bank', 0]]), /no item "bank"; items: bank \(river\), bank \(loan\)/);
});

/** Row-stochastic [seq, seq] matrix from a generator. */
function stochastic(seq: number, f: (q: number, k: number) => number): Float32Array {
  const m = new Float32Array(seq * seq);
  for (let q = 0; q < seq; q++) {
    let s = 0;
    for (let k = 0; k < seq; k++) s += (m[q * seq + k] = f(q, k));
    for (let k = 0; k < seq; k++) m[q * seq + k] /= s;
  }
  return m;
}

test('attention statistics: entropy in bits and weight on the first token, on hand-made heads', () => {
  const uniform = stochastic(4, () => 1);
  assert.ok(Math.abs(attentionEntropy(uniform) - 2) < 1e-6);
  assert.ok(Math.abs(firstTokenAttention(uniform) - 0.25) < 1e-7);
  const toFirst = stochastic(4, (_q, k) => (k === 0 ? 1 : 0));
  assert.equal(attentionEntropy(toFirst), 0);
  assert.equal(firstTokenAttention(toFirst), 1);
  // Half on token 0, half on token 1 for every row: 1 bit.
  assert.ok(Math.abs(attentionEntropy(stochastic(4, (_q, k) => (k < 2 ? 1 : 0))) - 1) < 1e-6);
});

test('attentionMap and attentionOverview: heads × layers grids and token labels', () => {
  const tokens = ['<s>', 'the', 'bank', 'the'];
  const diag = stochastic(4, (q, k) => (q === k ? 3 : 1));
  const stack = [[stochastic(4, () => 1), diag], [stochastic(4, (_q, k) => (k === 0 ? 1 : 0)), diag]];
  const cache = (toks: string[]) => new ActivationCache(toks.join(' '), toks.map((_, i) => i), toks, new LayerStack([0], [new Float32Array(toks.length)], toks.length, 1), new Map(stack.map((heads, k) => [k + 1, heads])));
  const map = attentionMap(cache(tokens), { layer: 1, head: 1 });
  const [heat] = traces(map);
  assert.deepEqual(heat.z[2], Array.from(diag.subarray(8, 12)));
  assert.deepEqual(map.layout.xaxis?.ticktext, ['&lt;s&gt;', 'the', 'bank', 'the']); // repeated "the" kept apart
  assert.throws(() => attentionMap(cache(tokens), { layer: 0, head: 0 }), /no attention for layer 0: layers 1…2 have attention/);
  assert.throws(() => attentionMap(cache(tokens), { layer: 1, head: 2 }), /layer 1 has heads 0…1, not 2/);
  assert.throws(() => attentionMap(cache(tokens.slice(1)), { layer: 1, head: 0 }), /3 tokens for a 4×4 attention matrix/);
  const overview = attentionOverview(cache(tokens));
  const [entropy, first] = traces(overview);
  assert.deepEqual(entropy.x, ['1', '2']);
  assert.ok(Math.abs(entropy.z[0][0] - 2) < 1e-6); // head 0, layer 1 uniform
  assert.equal(entropy.z[0][1], 0); // head 0, layer 2 all on <s>
  assert.equal(first.z[0][1], 1);
  assert.ok(Math.abs(first.z[1][0] - firstTokenAttention(diag)) < 1e-12);
});
