import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../src/core/random.js';
import { SimdVectors } from '../src/core/simd-vectors.js';
import { minimizeLbfgs } from '../src/probe/lbfgs.js';

// Lengths around the kernels' step of 4 doubles (padding), and one of a 32-class probe's size.
const LENGTHS = [0, 1, 3, 4, 5, 97, 24_001];

/** Σ a·b in plain float64 JS, one term at a time: the reference the SIMD sums are checked against. */
function plainDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Sums in another order agree to rounding: a few units in the last place of the sum of |terms|. */
function assertSum(actual: number, a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const expected = plainDot(a, b);
  let magnitude = 0;
  for (let i = 0; i < a.length; i++) magnitude += Math.abs(a[i] * b[i]);
  assert.ok(Math.abs(actual - expected) <= 1e-14 * magnitude + 1e-300, `${what}: ${actual} vs ${expected}`);
}

function filled(space: SimdVectors, random: Random): Float64Array[] {
  for (const v of space.vectors) for (let i = 0; i < v.length; i++) v[i] = random.normal() * 10 ** random.int(4);
  return space.vectors;
}

describe('SIMD float64 vectors (WebAssembly, built by src/core/wasm.ts)', () => {
  it('computes dot, axpyDot, scaleDot, combine and maxAbs as plain float64 loops do', () => {
    const random = new Random(7);
    for (const n of LENGTHS) {
      const space = new SimdVectors(n, 4);
      const [a, b, c, d] = filled(space, random);
      assert.ok(space.vectors.every((v) => v.length === n), `length ${n}`);
      assertSum(space.dot(a, b), a, b, `dot, n = ${n}`);

      // d += α·x: each element rounds exactly as JS's d[i] + α·x[i] (no fused multiply-add), bit for bit.
      const updated = Float64Array.from(d, (v, i) => v + 0.37 * c[i]);
      const zd = space.axpyDot(d, 0.37, c, a);
      assert.deepEqual(d, updated, `axpyDot's update, n = ${n}`);
      assertSum(zd, a, updated, `axpyDot's sum, n = ${n}`);

      const scaled = Float64Array.from(d, (v) => v * -2.5);
      const yd = space.scaleDot(d, -2.5, b);
      assert.deepEqual(d, scaled, `scaleDot's update, n = ${n}`);
      assertSum(yd, b, scaled, `scaleDot's sum, n = ${n}`);

      const combined = Float64Array.from(a, (v, i) => v + 1.5 * b[i]);
      space.combine(c, a, 1.5, b);
      assert.deepEqual(c, combined, `combine, n = ${n}`);
      space.combine(a, a, -1, a); // out may be an operand
      assert.ok(a.every((v) => v === 0), `combine in place, n = ${n}`);

      assert.equal(space.maxAbs(b), b.reduce((m, v) => Math.max(m, Math.abs(v)), 0), `maxAbs, n = ${n}`);
      if (n > 0) {
        b[n - 1] = NaN;
        assert.ok(Number.isNaN(space.maxAbs(b)), `maxAbs with a NaN, n = ${n}`);
      }
    }
  });

  it('keeps the padding at zero, so it never enters a sum', () => {
    // 5 doubles are padded to 8: if a kernel wrote into the padding, the next dot would count it.
    const space = new SimdVectors(5, 2);
    const [a, b] = space.vectors;
    a.fill(1);
    b.fill(2);
    space.scaleDot(a, 3, b);
    space.combine(b, b, 4, a);
    assert.equal(space.dot(a, b), 5 * 3 * 14);
    assert.equal(space.dot(a, a), 5 * 9);
  });

  it('refuses vectors of a replaced set and arrays that are not its vectors', () => {
    const old = new SimdVectors(10, 2);
    const [a, b] = old.vectors;
    const newer = new SimdVectors(10, 2);
    assert.throws(() => old.dot(a, b), /replaced by a newer set/);
    assert.throws(() => newer.dot(newer.vectors[0], new Float64Array(10)), /not one of its vectors/);
    assert.equal(newer.dot(newer.vectors[0], newer.vectors[1]), 0);
  });

  it('lets L-BFGS find a known minimum and hand back a result the next minimization does not overwrite', () => {
    // f(x) = ½ Σ aᵢ(xᵢ − cᵢ)², condition number 1000: minimum at c.
    const n = 2_001;
    const a = Float64Array.from({ length: n }, (_, i) => 1 + (i % 1000));
    const c = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const f = (x: Float64Array, g: Float64Array) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        g[i] = a[i] * (x[i] - c[i]);
        s += 0.5 * a[i] * (x[i] - c[i]) ** 2;
      }
      return s;
    };
    const first = minimizeLbfgs(f, new Float64Array(n), { maxIter: 500, gtol: 1e-8, ftol: 0 });
    assert.ok(first.converged, `converged in ${first.iterations} iterations`);
    const kept = Float64Array.from(first.x);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(first.x[i] - c[i]) <= 1e-8, `x[${i}] = ${first.x[i]}, minimum at ${c[i]}`);
    minimizeLbfgs(f, new Float64Array(n).fill(3), { maxIter: 5, gtol: 1e-8 });
    assert.deepEqual(first.x, kept);
  });
});
