import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/probe/backend.js';
import { Adam } from '../src/probe/adam.js';
import { Random } from '../src/core/random.js';

/** A·B in float64 from the factors' float32 values, each factor transposed first when asked. */
function reference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], transposeA: boolean, transposeB: boolean): Float64Array {
  const [m, k] = transposeA ? [aShape[1], aShape[0]] : aShape;
  const n = transposeB ? bShape[0] : bShape[1];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += (transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = sum;
    }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    // float32 products of k terms of size ~1: rounding grows like √k·2⁻²⁴ of the terms' magnitude
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

before(async () => {
  // ONNX Runtime's native binding ships with onnxruntime-node, a dependency: only a forced backend differs.
  if (!process.env.LAYERWISE_BACKEND) assert.equal(await initBackend(), 'wasm-mlas');
  else await initBackend();
});

describe('wasm-mlas: tfjs matrix products in ONNX Runtime', () => {
  const rng = new Random(11);
  const random = (size: number) => Float32Array.from({ length: size }, () => rng.normal());

  it('equals a float64 product for every transpose flag, and for rank-3 factors of batch 1', () => {
    const [m, k, n] = [128, 320, 40]; // m·k·n above the size from which products go to MLAS
    for (const transposeA of [false, true])
      for (const transposeB of [false, true]) {
        const aShape = transposeA ? [k, m] : [m, k];
        const bShape = transposeB ? [n, k] : [k, n];
        const a = random(m * k);
        const b = random(k * n);
        const expected = reference(a, aShape, b, bShape, transposeA, transposeB);
        const product = tf.tidy(() => tf.matMul(tf.tensor2d(a, aShape as [number, number]), tf.tensor2d(b, bShape as [number, number]), transposeA, transposeB).dataSync());
        assertClose(product, expected, `matMul(transposeA=${transposeA}, transposeB=${transposeB})`);
        const batched = tf.tidy(() => {
          const y = tf.matMul(tf.tensor3d(a, [1, ...aShape] as [number, number, number]), tf.tensor2d(b, bShape as [number, number]), transposeA, transposeB);
          assert.deepEqual(y.shape, [1, m, n]);
          return y.dataSync();
        });
        assertClose(batched, expected, `rank-3 matMul(transposeA=${transposeA}, transposeB=${transposeB})`);
      }
  });

  it('leaves batched and small products to wasm, with the same answers', () => {
    const a = random(2 * 20 * 30);
    const b = random(2 * 30 * 10);
    const batched = tf.tidy(() => tf.matMul(tf.tensor3d(a, [2, 20, 30]), tf.tensor3d(b, [2, 30, 10])).dataSync());
    for (let batch = 0; batch < 2; batch++) {
      const expected = reference(a.subarray(batch * 600, (batch + 1) * 600), [20, 30], b.subarray(batch * 300, (batch + 1) * 300), [30, 10], false, false);
      assertClose(batched.subarray(batch * 200, (batch + 1) * 200), expected, `batch ${batch}`);
    }
    const small = tf.tidy(() => tf.matMul(tf.tensor2d(a.subarray(0, 12), [3, 4]), tf.tensor2d(b.subarray(0, 8), [4, 2])).dataSync());
    assertClose(small, reference(a.subarray(0, 12), [3, 4], b.subarray(0, 8), [4, 2], false, false), 'small product');
  });

  it('gives the same bits for the same product, and leaks no tensor', () => {
    const start = tf.memory().numTensors;
    const a = tf.tensor2d(random(500 * 200), [500, 200]);
    const b = tf.tensor2d(random(200 * 17), [200, 17]);
    const first = tf.tidy(() => tf.matMul(a, b).dataSync());
    for (let i = 0; i < 20; i++) assert.deepEqual(tf.tidy(() => tf.matMul(a, b).dataSync()), first);
    tf.dispose([a, b]);
    assert.equal(tf.memory().numTensors, start);
  });
});

describe('Adam', () => {
  it("equals Kingma & Ba's algorithm 1 written out, with the L2 term on penalized blocks only", () => {
    // With ε = 0 the efficient form (αₜ = α·√(1 − β₂ᵗ)/(1 − β₁ᵗ)) and algorithm 1 (bias-corrected m̂, v̂) are the same update.
    const rng = new Random(5);
    const start = [Float32Array.from({ length: 6 }, () => rng.normal()), Float32Array.from({ length: 3 }, () => rng.normal())];
    const params = start.map((p) => p.slice());
    const adam = new Adam(params, [true, false], 0.01, 0.9, 0.999, 0);
    const expected = start.map((p) => Float64Array.from(p));
    const m = start.map((p) => new Float64Array(p.length));
    const v = start.map((p) => new Float64Array(p.length));
    const l2 = 0.3;
    for (let t = 1; t <= 25; t++) {
      const gradients = start.map((p) => Float32Array.from({ length: p.length }, () => rng.normal()));
      adam.step(gradients, l2);
      expected.forEach((theta, block) => {
        for (let i = 0; i < theta.length; i++) {
          const g = gradients[block][i] + (block === 0 ? l2 * theta[i] : 0);
          m[block][i] = 0.9 * m[block][i] + 0.1 * g;
          v[block][i] = 0.999 * v[block][i] + 0.001 * g * g;
          theta[i] -= (0.01 * (m[block][i] / (1 - 0.9 ** t))) / Math.sqrt(v[block][i] / (1 - 0.999 ** t));
        }
      });
    }
    expected.forEach((theta, block) => assertClose(params[block], theta, `block ${block}`));
  });
});
