import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/probe/backend.js';
import { createProbe } from '../src/probe/create.js';
import { mdlBlocks, onlineCodelength, searchingProbes } from '../src/study/mdl.js';
import { accuracy, macroF1, majorityAccuracy } from '../src/probe/metrics.js';
import { expectedLayer, summarizeTask } from '../src/results/summary.js';
import { meanCI } from '../src/core/stats.js';
import { gaussianClusters } from '../src/probe/synthetic.js';
import { fitStandardizer, restandardize, standardize, unitScaling } from '../src/probe/standardize.js';
import { searchL2 } from '../src/probe/search.js';
import type { Matrix } from '../src/core/activations.js';
import type { ProbeKind, Selection } from '../src/probe/types.js';
import type { ResultRow } from '../src/results/types.js';
import { Random } from '../src/core/random.js';

function rows(X: Matrix, from: number, to: number): Matrix {
  return { data: X.data.subarray(from * X.cols, to * X.cols), rows: to - from, cols: X.cols };
}

/** Well-separated clusters: a working probe is (nearly) perfect on held-out rows. */
const separable = gaussianClusters({ rows: 900, dim: 24, classes: 4, separation: 3, seed: 1, factors: 4, factorScale: 1 });

before(async () => {
  assert.match(await initBackend(), /^(tensorflow|wasm-mlas|wasm|cpu)$/);
});

describe('probes', () => {
  for (const kind of ['linear', 'mlp'] as ProbeKind[]) {
    it(`${kind}: separable clusters → ~100% on held-out rows`, () => {
      const probe = createProbe({ kind, seed: 0 }).fit(rows(separable.X, 0, 600), separable.y.subarray(0, 600), 4);
      assert.ok(probe.score(rows(separable.X, 600, 900), separable.y.subarray(600)) >= 0.99);
      const proba = probe.predictProba(rows(separable.X, 600, 610));
      for (let r = 0; r < 10; r++) {
        const sum = proba.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities of row ${r} sum to ${sum}`);
      }
    });

    it(`${kind}: shuffled labels → chance on held-out rows`, () => {
      const shuffled = new Random(7).shuffle(Array.from(separable.y));
      const probe = createProbe({ kind, seed: 0 }).fit(rows(separable.X, 0, 600), shuffled.slice(0, 600), 4);
      const acc = probe.score(rows(separable.X, 600, 900), shuffled.slice(600));
      assert.ok(Math.abs(acc - 0.25) < 0.08, `accuracy ${acc} is not near chance (0.25)`);
    });

    it(`${kind}: the same seed gives the same probe`, () => {
      const fit = (seed: number) => createProbe({ kind, seed }).fit(rows(separable.X, 0, 300), separable.y.subarray(0, 300), 4).predictProba(rows(separable.X, 600, 700));
      assert.deepEqual(fit(3), fit(3));
    });
  }

  it('fitInfo says whether the final fit met its stopping rule or was stopped by its limit', () => {
    const train = rows(separable.X, 0, 600);
    const labels = separable.y.subarray(0, 600);
    const linear = (maxIter?: number) => createProbe({ kind: 'linear', l2: 1e-3, maxIter }).fit(train, labels, 4).fitInfo!;
    assert.deepEqual([linear(3).iterations, linear(3).converged], [3, false]);
    const free = linear();
    assert.ok(free.converged && free.iterations > 3 && free.iterations < 100, `${free.iterations} iterations`);
    // The MLP: early stopping (5 epochs without a better held-out score) ends a 200-epoch budget on separable rows; 2 epochs end before it can.
    const mlp = (maxIter: number) => createProbe({ kind: 'mlp', l2: 1e-3, maxIter, seed: 0 }).fit(train, labels, 4).fitInfo!;
    assert.deepEqual([mlp(2).iterations, mlp(2).converged], [2, false]);
    const stopped = mlp(200);
    assert.ok(stopped.converged && stopped.iterations < 200, `${stopped.iterations} epochs`);
  });

  it('mlp learns a nonlinear (XOR) rule that the linear probe cannot', () => {
    const rng = new Random(8);
    const n = 1200;
    const X: Matrix = { data: Float32Array.from({ length: n * 6 }, () => rng.normal()), rows: n, cols: 6 };
    const y = Int32Array.from({ length: n }, (_, r) => (X.data[r * 6] * X.data[r * 6 + 1] > 0 ? 1 : 0));
    const score = (kind: ProbeKind) => createProbe({ kind, seed: 0 }).fit(rows(X, 0, 900), y.subarray(0, 900)).score(rows(X, 900, n), y.subarray(900));
    assert.ok(score('linear') < 0.65);
    assert.ok(score('mlp') > 0.9, `mlp accuracy ${score('mlp')}`);
  });

  it('binary probes give two columns and standardize with training statistics only', () => {
    const { X, y } = gaussianClusters({ rows: 400, dim: 10, classes: 2, separation: 2, seed: 4 });
    // Shift and scale the test rows wildly: a probe that re-standardized on them would still score well.
    const probe = createProbe({ kind: 'linear', l2: 1e-2 }).fit(rows(X, 0, 300), y.subarray(0, 300));
    assert.equal(probe.predictProba(rows(X, 300, 301)).length, 2);
    assert.ok(probe.score(rows(X, 300, 400), y.subarray(300)) > 0.9);
    const moved = rows(X, 300, 400);
    const shifted = { ...moved, data: moved.data.map((v) => 100 + 5 * v) };
    assert.ok(probe.score(shifted, y.subarray(300)) < 0.75);
  });

  it('linear: a cold start begins at the λ → ∞ optimum (class frequencies), so a strong λ is fitted at once', () => {
    // From W = b = 0 this took 27 iterations and stopped at 0.088 for a class of frequency 0.1.
    const { X } = gaussianClusters({ rows: 400, dim: 24, classes: 4, separation: 1, seed: 3 });
    const frequencies = [0.6, 0.25, 0.1, 0.05];
    const y = Int32Array.from({ length: 400 }, (_, i) => (i % 20 < 12 ? 0 : i % 20 < 17 ? 1 : i % 20 < 19 ? 2 : 3));
    for (const [labels, expected] of [[y, frequencies], [y.map((c) => Math.min(c, 1)), [0.6, 0.4]]] as const) {
      const probe = createProbe({ kind: 'linear', l2: 1e4 }).fit(X, labels, expected.length);
      assert.ok(probe.fitInfo!.iterations <= 3, `${probe.fitInfo!.iterations} iterations`);
      const proba = probe.predictProba(rows(X, 0, 5));
      proba.forEach((p, i) => assert.ok(Math.abs(p - expected[i % expected.length]) < 1e-4, `row ${Math.floor(i / expected.length)}: ${p} vs ${expected[i % expected.length]}`));
    }
  });

  it('restandardize re-expresses a first layer exactly for other standardization statistics', () => {
    // A warm start moves from the validation walk's statistics (fitting part) to all rows' ones.
    const { X } = gaussianClusters({ rows: 50, dim: 5, classes: 2, separation: 1, seed: 9 });
    const from = fitStandardizer(rows(X, 0, 30));
    const to = fitStandardizer(X);
    const rng = new Random(2);
    const W = Float64Array.from({ length: 5 * 3 }, () => rng.normal());
    const b = Float64Array.from({ length: 3 }, () => rng.normal());
    const moved = restandardize(W, b, from, to);
    const logits = (input: Float32Array, w: Float64Array, bias: Float64Array) =>
      Array.from({ length: 50 * 3 }, (_, i) => bias[i % 3] + [0, 1, 2, 3, 4].reduce((sum, c) => sum + input[Math.floor(i / 3) * 5 + c] * w[c * 3 + (i % 3)], 0));
    const expected = logits(standardize(X, from).data, W, b);
    const actual = logits(standardize(X, to).data, moved.W, moved.b);
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - actual[i]) < 1e-4, `logit ${i}: ${actual[i]} vs ${expected[i]}`);
  });

  it('the identity scaling hands the rows back without a copy', () => {
    const X = rows(separable.X, 0, 10);
    assert.equal(standardize(X, unitScaling(X.cols)), X);
    assert.notEqual(standardize(X, fitStandardizer(X)).data, X.data);
  });

  it('rejects misaligned labels with a clear message', () => {
    assert.throws(() => createProbe({ kind: 'linear' }).fit(rows(separable.X, 0, 10), [0, 1]), /10 feature rows but 2 labels/);
  });

  it('leaves tf.memory() as it found it after hundreds of fits', () => {
    const start = tf.memory().numTensors;
    const small = gaussianClusters({ rows: 60, dim: 6, classes: 3, separation: 1, seed: 5, factors: 2 });
    for (let i = 0; i < 300; i++) {
      const probe = createProbe({ kind: 'linear', seed: i }).fit(small.X, small.y, 3);
      probe.predictProba(small.X);
    }
    for (let i = 0; i < 10; i++) createProbe({ kind: 'mlp', seed: i, hidden: 8, maxIter: 5 }).fit(small.X, small.y, 3).predict(small.X);
    onlineCodelength(small.X, small.y, 3, searchingProbes({ kind: 'linear' }), 0);
    assert.equal(tf.memory().numTensors, start);
  });
});

describe('online codelength (MDL)', () => {
  /** A probe that ignores its inputs and always gives P(class 0) = 0.75, P(class 1) = 0.25. */
  const fixedProbe = (sizes: number[]) => (X: Matrix) => {
    sizes.push(X.rows);
    return { predictLogProba: (Y: Matrix) => Float32Array.from({ length: Y.rows * 2 }, (_, i) => Math.log(i % 2 === 0 ? 0.75 : 0.25)) };
  };

  it('equals the codelength worked out by hand, blocks of whole sentences', () => {
    // 1,000 rows, all of class 0. Blocks end at 0.1%, 0.2%, … of the rows: the first block (1 row)
    // costs log2(2) = 1 bit; each later row costs −log2 0.75 under the fixed probe.
    const X = { data: new Float32Array(1000), rows: 1000, cols: 1 };
    const y = new Int32Array(1000);
    const sizes: number[] = [];
    const code = onlineCodelength(X, y, 2, fixedProbe(sizes), 0);
    assert.deepEqual(code.blockEnds, [1, 2, 4, 8, 16, 32, 63, 125, 250, 500, 1000]);
    assert.deepEqual(sizes, code.blockEnds.slice(0, -1)); // each block's probe saw exactly the blocks before it
    assert.ok(Math.abs(code.bits - (1 + 999 * -Math.log2(0.75))) < 1e-3, `bits ${code.bits}`); // log-probabilities are float32
    assert.equal(code.uniformBits, 1000);
    // Sentences of 10 rows: blocks end at sentence boundaries (the first block is one whole sentence).
    const bySentence = onlineCodelength(X, y, 2, fixedProbe([]), 0, Int32Array.from({ length: 1000 }, (_, i) => Math.floor(i / 10)));
    assert.deepEqual(bySentence.blockEnds, [10, 20, 40, 70, 130, 250, 500, 1000]);
    assert.ok(Math.abs(bySentence.bits - (10 + 990 * -Math.log2(0.75))) < 1e-3);
  });

  it('a learnable task compresses well below the uniform code, noise does not', () => {
    const learnable = onlineCodelength(separable.X, separable.y, 4, searchingProbes({ kind: 'linear' }), 0);
    assert.equal(learnable.uniformBits, 900 * 2);
    assert.ok(learnable.bits >= 1 * 2, 'the first block (1 row) is always sent with the uniform code');
    assert.ok(learnable.compression > 1.5, `compression ${learnable.compression}`);
    const noise = onlineCodelength(separable.X, new Random(3).shuffle(Array.from(separable.y)), 4, searchingProbes({ kind: 'linear' }), 0);
    assert.ok(noise.compression < 1.1 && noise.compression > 0.8, `noise compression ${noise.compression}`);
  });

  it('standardizes once with all rows, so a column constant on a small first block is not blown up', () => {
    // Column 0 carries the label; column 1 is noise, but on the first block's rows it is 1 plus
    // float32 rounding. Scaled by its spread on those rows (≈1e-7), the next rows' column 1 became
    // ~10⁷ and the code went to millions of bits; scaled by all rows' spread it stays noise.
    const n = 400;
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const noise = new Random(11);
    const data = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      data[2 * i] = y[i] + 0.3 * noise.normal();
      data[2 * i + 1] = 1 + noise.normal();
    }
    const clusters = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 4)); // sentences of 4 rows
    const { order, ends } = mdlBlocks(n, 0, clusters);
    for (const row of order.subarray(0, ends[0])) data[2 * row + 1] = 1 + 1e-7 * noise.normal();
    const code = onlineCodelength({ data, rows: n, cols: 2 }, y, 2, searchingProbes({ kind: 'linear' }), 0, clusters);
    assert.equal(ends[0], 4);
    assert.ok(code.compression > 1.5, `compression ${code.compression} (${code.bits.toFixed(0)} bits for ${n} binary labels)`);
  });
});

describe('the λ walk', () => {
  it('selects on accuracy (strongest λ on ties) or, for MDL blocks, on held-out log-loss', () => {
    // Validation scores by λ, strongest first: accuracy ties at the top, the log-loss does not.
    const scores = new Map([[1, { accuracy: 0.8, logLoss: 0.9 }], [0.1, { accuracy: 0.8, logLoss: 0.5 }], [0.01, { accuracy: 0.7, logLoss: 0.6 }], [0.001, { accuracy: 0.6, logLoss: 0.7 }], [1e-4, { accuracy: 0.9, logLoss: 0.4 }]]);
    const { X, y } = gaussianClusters({ rows: 100, dim: 3, classes: 2, separation: 1, seed: 0 });
    const walked: number[] = [];
    const choose = (selectBy: Selection) => {
      walked.length = 0;
      return searchL2(X, y, 2, { selectBy, l2Grid: [...scores.keys()], defaultL2: 1, grid: () => [], openPath: () => ({ step: (l2) => (walked.push(l2), { ...scores.get(l2)!, hint: l2 }), dispose: () => {} }) });
    };
    assert.equal(choose('accuracy').l2, 1);
    assert.deepEqual(walked, [1, 0.1, 0.01, 0.001], 'three steps without a better accuracy end the walk');
    const byLoss = choose('logLoss');
    assert.equal(byLoss.l2, 1e-4);
    assert.equal(byLoss.warm!.value, 1e-4);
    assert.deepEqual(walked, [1, 0.1, 0.01, 0.001, 1e-4], 'the log-loss improved at 0.1, so patience counts from there and the walk reaches 1e-4');
  });
});

describe('metrics and summaries', () => {
  it('accuracy, macro-F1 and the majority baseline match hand counts', () => {
    // predicted [0,1,1,2] vs actual [0,1,0,2]: per class tp 1,1,1 | actual 2,1,1 | predicted 1,2,1
    // → F1 2/3, 2/3, 1; class 3 occurs in neither and is left out, as sklearn does.
    assert.equal(accuracy([0, 1, 1, 2], [0, 1, 0, 2]), 0.75);
    assert.ok(Math.abs(macroF1([0, 1, 1, 2], [0, 1, 0, 2], 4) - 7 / 9) < 1e-12);
    assert.equal(majorityAccuracy([2, 2, 1], [2, 0, 2, 2], 3), 0.75);
  });

  it('meanCI uses the t distribution', () => {
    const { mean, low, high } = meanCI([1, 2, 3, 4]);
    // sd = 1.29099, t(0.975, 3) = 3.18245 → half-width 2.05431
    assert.equal(mean, 2.5);
    assert.ok(Math.abs(high - mean - 2.05431) < 1e-4 && Math.abs(mean - low - 2.05431) < 1e-4);
    assert.deepEqual(meanCI([5]), { mean: 5, low: 5, high: 5 });
  });

  it('expected layer is the centre of gravity of gains over the best layer so far', () => {
    assert.equal(expectedLayer([0.5, 0.7, 0.9]), (1 * 0.2 + 2 * 0.2) / 0.4);
    // The drop at layer 2 counts 0, and regaining it at layer 3 is no new gain.
    assert.ok(Math.abs(expectedLayer([0.5, 0.9, 0.6, 0.9, 1.0]) - (1 * 0.4 + 4 * 0.1) / 0.5) < 1e-12);
    assert.equal(expectedLayer([0.8, 0.7, 0.6]), 0);
  });

  it('summarizes by mean accuracy over seeds', () => {
    const results: ResultRow[] = [];
    const acc = [
      [0.5, 0.6],
      [0.8, 0.9],
      [0.85, 0.8],
    ];
    acc.forEach((seeds, layer) =>
      seeds.forEach((value, seed) => {
        results.push({ task: 't', layer, probe: 'linear', seed, metric: 'accuracy', value });
        results.push({ task: 't', layer, probe: 'linear', seed, metric: 'selectivity', value: value / 10 });
      }),
    );
    const summary = summarizeTask(results, 't');
    assert.equal(summary.best_layer, 1);
    assert.ok(Math.abs(summary.best_accuracy - 0.85) < 1e-12);
    assert.ok(Math.abs(summary.selectivity - 0.085) < 1e-12);
    assert.ok(Number.isNaN(summary.mdl_kbits));
    assert.ok(Math.abs(summary.expected_layer - 1) < 1e-12);
    // With dev accuracy in the results, the best layer is chosen on it, not on test.
    [0.5, 0.6, 0.9].forEach((value, layer) => results.push({ task: 't', layer, probe: 'linear', seed: 0, metric: 'dev_accuracy', value }));
    const onDev = summarizeTask(results, 't');
    assert.equal(onDev.best_layer, 2);
    assert.ok(Math.abs(onDev.best_accuracy - 0.825) < 1e-12);
  });
});
