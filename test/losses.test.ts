// The linear probe's loss sums against float64 references computed another way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logisticLoss, softmaxLoss } from '../src/probe/losses.js';

test('softmaxLoss is the float64 cross-entropy, also for rows whose class probability underflows float32', () => {
  // Row 1's class is 120 below the best logit: its float32 probability is 0, and −log 0 would be ∞.
  const z = Float32Array.of(0.5, -1, 2, /* row 1 */ 3, -117, 1, /* row 2 */ -4, -4, -4);
  const labels = Int32Array.of(2, 1, 0);
  const p = new Float32Array(z.length);
  const reference = [0, 1, 2].map((i) => {
    const row = Array.from(z.subarray(3 * i, 3 * i + 3));
    const logTotal = Math.log(row.reduce((s, v) => s + Math.exp(v), 0)); // no overflow at these sizes
    row.forEach((v, c) => (p[3 * i + c] = Math.exp(v - logTotal)));
    return logTotal - row[labels[i]];
  });
  assert.equal(p[4], 0);
  const sum = softmaxLoss(p, z, labels);
  const expected = reference.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - expected) < 1e-6 * expected, `${sum} against ${expected}`);
  assert.ok(Math.abs(softmaxLoss(p.subarray(3, 6), z.subarray(3, 6), labels.subarray(1, 2)) - (3 + Math.log1p(Math.exp(-2)) + 117)) < 1e-5); // the underflowed row alone: logsumexp − z_class
});

test('logisticLoss is Σ −log σ(±z) and its residual σ(z) − t, also where exp(z) overflows', () => {
  const z = Float32Array.of(-3, 0, 2.5, 40, -40, 800, -800);
  const labels = Int32Array.of(1, 0, 1, 0, 1, 1, 0);
  const residual = new Float32Array(z.length);
  const sum = logisticLoss(z, labels, residual);
  // −log σ(z) for t = 1, −log(1 − σ(z)) for t = 0; beyond |z| = 30, softplus(x) is x (or e^x, ≈ 0) to float64.
  const softplus = (x: number) => (x > 30 ? x : x < -30 ? Math.exp(x) : Math.log(1 + Math.exp(x)));
  const expected = Array.from(z).reduce((s, v, i) => s + softplus(labels[i] === 1 ? -v : v), 0);
  assert.ok(Math.abs(sum - expected) < 1e-9 * expected, `${sum} against ${expected}`);
  Array.from(z).forEach((v, i) => assert.ok(Math.abs(residual[i] - (1 / (1 + Math.exp(-v)) - labels[i])) < 1e-7, `row ${i}`));
});
