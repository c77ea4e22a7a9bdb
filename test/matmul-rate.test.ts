import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { encoderProductsModel, matmulModel, measureEncoderProductsRate, measureMatmulRate, productFlopsPerToken } from '../src/core/matmul-rate.js';
import { Random } from '../src/core/random.js';

// Sizes unlike one another, so a swapped or transposed dimension changes the answer.
const [M, K, N] = [5, 37, 11];

/** Runs a one-node product model on activations `a` and returns its output. */
async function run(model: Uint8Array, a: ort.Tensor): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(model);
  try {
    return (await session.run({ A: a })).C;
  } finally {
    await session.release();
  }
}

test('the fp32 model computes A·B, B being its initializer', async () => {
  const random = new Random(3);
  const a = Float32Array.from({ length: M * K }, () => random.normal());
  const b = Float32Array.from({ length: K * N }, () => random.normal());
  const c = await run(matmulModel(M, K, N, b), new ort.Tensor('float32', a, [M, K]));
  assert.deepEqual(c.dims, [M, N]);
  assert.equal(c.type, 'float32');
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let magnitude = 0; // float32 rounding is relative to the terms, not to their sum
      for (let p = 0; p < K; p++) {
        sum += a[i * K + p] * b[p * N + j];
        magnitude += Math.abs(a[i * K + p] * b[p * N + j]);
      }
      const got = (c.data as Float32Array)[i * N + j];
      assert.ok(Math.abs(got - sum) <= 1e-4 * magnitude, `C[${i}][${j}] = ${got}, expected ${sum}`);
    }
});

test('the int8 model computes (A − 128)·B exactly, in int32', async () => {
  const random = new Random(4);
  // Activations over all of uint8, weights over 7 bits as dynamic quantization's reduce_range makes
  // them: without VNNI, MLAS adds pairs of uint8×int8 products in saturating int16 (AVX2
  // vpmaddubsw), so full-range weights come out wrong (by up to 19,054 here on an EPYC).
  const a = Uint8Array.from({ length: M * K }, (_, i) => (i < 2 ? [0, 255][i] : random.int(256)));
  const b = Int8Array.from({ length: K * N }, (_, i) => (i < 2 ? [-64, 63][i] : random.int(128) - 64));
  const c = await run(matmulModel(M, K, N, b), new ort.Tensor('uint8', a, [M, K]));
  assert.deepEqual(c.dims, [M, N]);
  assert.equal(c.type, 'int32');
  const expected = new Int32Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) for (let p = 0; p < K; p++) expected[i * N + j] += (a[i * K + p] - 128) * b[p * N + j];
  assert.deepEqual(c.data, expected);
});

test('measureMatmulRate measures the shape it was asked, at finite positive rates', async () => {
  const fp32 = await measureMatmulRate({ m: 64, k: 64, n: 64, rounds: 2 });
  assert.deepEqual(fp32.shape, [64, 64, 64]);
  assert.ok(fp32.threads >= 1);
  assert.ok(Number.isFinite(fp32.fp32GflopS) && fp32.fp32GflopS > 0, `fp32 ${fp32.fp32GflopS} GFLOP/s`);
  assert.equal(fp32.int8GopS, undefined);

  const both = await measureMatmulRate({ m: 64, k: 32, n: 16, rounds: 2, threads: 1, int8: true });
  assert.deepEqual(both.shape, [64, 32, 16]);
  assert.equal(both.threads, 1);
  assert.ok(Number.isFinite(both.int8GopS) && both.int8GopS > 0, `int8 ${both.int8GopS} GOP/s`);

  await assert.rejects(measureMatmulRate({ rounds: 0 }), /rounds must be a positive integer, got 0/);
});

test('the encoder-products model chains every layer\'s six products, each by weights of its own', async () => {
  const shape = { hidden: 6, intermediate: 10, layers: 2 };
  const { model, weights } = encoderProductsModel(shape);
  assert.equal(weights.length, 12);
  assert.equal(new Set(weights.map((w) => w.join())).size, 12);
  const m = 3;
  const a = Float32Array.from({ length: m * shape.hidden }, (_, i) => Math.cos(i));
  const session = await ort.InferenceSession.create(model);
  const [output] = session.outputNames;
  const got = (await session.run({ A: new ort.Tensor('float32', a, [m, shape.hidden]) }))[output];
  await session.release();
  // The same chain in float64, one product after another.
  let x = Float64Array.from(a);
  let k = shape.hidden;
  for (const w of weights) {
    const n = w.length / k;
    const y = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) y[i * n + j] += x[i * k + p] * w[p * n + j];
    [x, k] = [y, n];
  }
  assert.deepEqual(got.dims, [m, shape.hidden]);
  const scale = Math.max(...x.map(Math.abs));
  (got.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - x[i]) <= 1e-4 * scale, `output ${i}: ${v}, expected ${x[i]}`));
  assert.equal(productFlopsPerToken(shape), 2 * 2 * (4 * 36 + 2 * 60));
  const rate = await measureEncoderProductsRate(shape, { m: 4, seconds: 0.05, threads: 1 });
  assert.ok(Number.isFinite(rate) && rate > 0, `${rate} GFLOP/s`);
});
