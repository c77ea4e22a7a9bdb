import { SimdVectors } from '../core/simd-vectors.js';

/** A smooth function: returns f(x) and writes ∇f(x) into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  gtol: number; // converged when max |∇f| ≤ gtol (scipy's pgtol, sklearn's tol)
  ftol?: number; // …or when the relative decrease of f is below this (float32 losses stall near 1e-7)
  memory?: number; // (s, y) pairs kept (scipy's default 10)
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

const C1 = 1e-4; // sufficient decrease (Armijo)
const C2 = 0.9; // curvature (weak Wolfe): lets the unit step through almost always
const MAX_LINE_SEARCH = 25;

/**
 * Limited-memory BFGS (Nocedal & Wright, Alg. 7.4–7.5): two-loop recursion for the direction,
 * weak-Wolfe line search by bracketing and bisection (Lewis & Overton 2013). Vectors are
 * small (weights only), so they stay in float64 off the backend, in one `SimdVectors` set
 * (WebAssembly memory, SIMD kernels; the objective gets views of it); the objective does the heavy work. Every vector is allocated once
 * (the curvature pairs in a ring): allocating two 100 kB arrays a trial step, as a first version
 * did, cost more than the objective itself on small problems.
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const { maxIter, gtol, ftol = 1e-7, memory = 10 } = options;
  const n = x0.length;
  const space = new SimdVectors(n, 2 * memory + 9);
  const [first, firstG, d, firstTrialX, firstTrialG, armijoX, armijoG, ...ring] = space.vectors;
  let [x, g, trialX, trialG] = [first, firstG, firstTrialX, firstTrialG];
  const pairs = new CurvaturePairs(space, ring, memory);
  x.set(x0);
  let fx = f(x, g);
  let evaluations = 1;
  let iterations = 0;
  // The set's memory is reused by the next minimization in this thread: hand out a copy.
  const result = (converged: boolean): LbfgsResult => ({ x: x.slice(), value: fx, iterations, evaluations, converged });
  if (space.maxAbs(g) <= gtol) return result(true);

  while (iterations < maxIter) {
    iterations++;
    pairs.direction(g, d);
    let gd = space.dot(g, d);
    if (!(gd < 0)) {
      // Not a descent direction (numerical trouble): forget the curvature pairs, go downhill.
      pairs.clear();
      d.fill(0);
      space.combine(d, d, -1, g);
      gd = -space.dot(g, g);
    }
    let t = pairs.size === 0 ? Math.min(1, 1 / Math.sqrt(space.dot(g, g))) : 1;
    let lo = 0;
    let hi = Infinity;
    let accepted: number | undefined; // f at the accepted point (in trialX, trialG)
    let armijo: number | undefined; // f at the last point with sufficient decrease only (in armijoX, armijoG)
    for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
      space.combine(trialX, x, t, d);
      const ft = f(trialX, trialG);
      evaluations++;
      if (!Number.isFinite(ft) || ft > fx + C1 * t * gd) {
        hi = t;
      } else if (space.dot(trialG, d) < C2 * gd) {
        lo = t;
        armijo = ft;
        armijoX.set(trialX);
        armijoG.set(trialG);
      } else {
        accepted = ft;
        break;
      }
      t = hi < Infinity ? (lo + hi) / 2 : 2 * lo;
    }
    if (accepted === undefined) {
      if (armijo === undefined) return result(false); // no decrease found: float32 noise floor
      accepted = armijo;
      trialX.set(armijoX);
      trialG.set(armijoG);
    }
    pairs.push(trialX, x, trialG, g);
    const previous = fx;
    [x, trialX] = [trialX, x];
    [g, trialG] = [trialG, g];
    fx = accepted;
    if (space.maxAbs(g) <= gtol) return result(true);
    if ((previous - fx) / Math.max(Math.abs(previous), Math.abs(fx), 1) <= ftol) return result(true);
  }
  return result(false);
}

/** The newest (s, y) = (x₊ − x, g₊ − g) pairs, oldest first, in preallocated slots. */
class CurvaturePairs {
  private readonly s: Float64Array[];
  private readonly y: Float64Array[];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private spareS: Float64Array; // the next pair is computed here, and kept only if its curvature is positive
  private spareY: Float64Array;
  private first = 0; // slot of the oldest pair
  private newestScale = 0; // sᵀy / yᵀy of the newest pair: H₀'s scale, kept from the push that computed both
  size = 0;

  /** `vectors`: 2·memory + 2 vectors of the set, for the pairs and the spare pair. */
  constructor(
    private readonly space: SimdVectors,
    vectors: Float64Array[],
    private readonly memory: number,
  ) {
    this.s = vectors.slice(0, memory);
    this.y = vectors.slice(memory, 2 * memory);
    [this.spareS, this.spareY] = vectors.slice(2 * memory, 2 * memory + 2);
    this.rho = new Float64Array(memory);
    this.alpha = new Float64Array(memory);
  }

  private slot(k: number): number {
    return (this.first + k) % this.memory;
  }

  clear(): void {
    this.size = 0;
  }

  /** Keeps the pair of a step unless its curvature sᵀy is not safely positive. */
  push(xNew: Float64Array, x: Float64Array, gNew: Float64Array, g: Float64Array): void {
    const { space, spareS: s, spareY: y } = this;
    space.combine(s, xNew, -1, x);
    space.combine(y, gNew, -1, g);
    const sy = space.dot(s, y);
    const yy = space.dot(y, y);
    if (!(sy > 1e-12 * yy)) return;
    this.newestScale = sy / yy;
    const slot = this.size < this.memory ? this.slot(this.size) : this.first; // when full, the oldest pair goes
    [this.s[slot], this.spareS] = [s, this.s[slot]];
    [this.y[slot], this.spareY] = [y, this.y[slot]];
    this.rho[slot] = 1 / sy;
    if (this.size < this.memory) this.size++;
    else this.first = (this.first + 1) % this.memory;
  }

  /**
   * d = −H·g by the two-loop recursion, with H₀ = (sᵀy / yᵀy)·I from the newest pair. Each update
   * of d is fused with the dot product the next step needs, so d is swept once per pair and loop.
   */
  direction(g: Float64Array, d: Float64Array): void {
    const { space, alpha, size } = this;
    d.set(g);
    if (size === 0) {
      space.scaleDot(d, -1, d);
      return;
    }
    // First loop, newest to oldest: αₖ = ρₖ·sₖᵀd, then d −= αₖ·yₖ (fused with sₖ₋₁ᵀd).
    let next = space.dot(this.s[this.slot(size - 1)], d);
    for (let k = size - 1; k >= 0; k--) {
      const a = this.rho[this.slot(k)] * next;
      alpha[k] = a;
      next = space.axpyDot(d, -a, this.y[this.slot(k)], this.s[this.slot(k > 0 ? k - 1 : k)]);
    }
    // Second loop, oldest to newest: βₖ = ρₖ·yₖᵀd, then d += (αₖ − βₖ)·sₖ (fused with yₖ₊₁ᵀd).
    next = space.scaleDot(d, this.newestScale, this.y[this.slot(0)]);
    for (let k = 0; k < size; k++) {
      const b = this.rho[this.slot(k)] * next;
      next = space.axpyDot(d, alpha[k] - b, this.s[this.slot(k)], this.y[this.slot(Math.min(k + 1, size - 1))]);
    }
    space.scaleDot(d, -1, d);
  }
}
