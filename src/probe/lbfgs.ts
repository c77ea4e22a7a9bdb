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
 * small (weights only), so they stay in float64 on the JS side; the objective does the heavy work.
 * Every vector is allocated once (the curvature pairs in a ring): allocating two 100 kB arrays a
 * trial step, as a first version did, cost more than the objective itself on small problems.
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const { maxIter, gtol, ftol = 1e-7, memory = 10 } = options;
  const n = x0.length;
  let x = new Float64Array(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  const pairs = new CurvaturePairs(n, memory);
  const d = new Float64Array(n);
  let trialX = new Float64Array(n);
  let trialG = new Float64Array(n);
  const armijoX = new Float64Array(n);
  const armijoG = new Float64Array(n);
  let iterations = 0;
  if (maxAbs(g) <= gtol) return { x, value: fx, iterations, evaluations, converged: true };

  while (iterations < maxIter) {
    iterations++;
    pairs.direction(g, d);
    let gd = dot(g, d);
    if (!(gd < 0)) {
      // Not a descent direction (numerical trouble): forget the curvature pairs, go downhill.
      pairs.clear();
      for (let i = 0; i < n; i++) d[i] = -g[i];
      gd = -dot(g, g);
    }
    let t = pairs.size === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    let lo = 0;
    let hi = Infinity;
    let accepted: number | undefined; // f at the accepted point (in trialX, trialG)
    let armijo: number | undefined; // f at the last point with sufficient decrease only (in armijoX, armijoG)
    for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
      for (let i = 0; i < n; i++) trialX[i] = x[i] + t * d[i];
      const ft = f(trialX, trialG);
      evaluations++;
      if (!Number.isFinite(ft) || ft > fx + C1 * t * gd) {
        hi = t;
      } else if (dot(trialG, d) < C2 * gd) {
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
      if (armijo === undefined) return { x, value: fx, iterations, evaluations, converged: false }; // no decrease found: float32 noise floor
      accepted = armijo;
      trialX.set(armijoX);
      trialG.set(armijoG);
    }
    pairs.push(trialX, x, trialG, g);
    const previous = fx;
    [x, trialX] = [trialX, x];
    [g, trialG] = [trialG, g];
    fx = accepted;
    if (maxAbs(g) <= gtol) return { x, value: fx, iterations, evaluations, converged: true };
    if ((previous - fx) / Math.max(Math.abs(previous), Math.abs(fx), 1) <= ftol) {
      return { x, value: fx, iterations, evaluations, converged: true };
    }
  }
  return { x, value: fx, iterations, evaluations, converged: false };
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
  size = 0;

  constructor(
    private readonly n: number,
    private readonly memory: number,
  ) {
    this.s = Array.from({ length: memory }, () => new Float64Array(n));
    this.y = Array.from({ length: memory }, () => new Float64Array(n));
    this.rho = new Float64Array(memory);
    this.alpha = new Float64Array(memory);
    this.spareS = new Float64Array(n);
    this.spareY = new Float64Array(n);
  }

  private slot(k: number): number {
    return (this.first + k) % this.memory;
  }

  clear(): void {
    this.size = 0;
  }

  /** Keeps the pair of a step unless its curvature sᵀy is not safely positive. */
  push(xNew: Float64Array, x: Float64Array, gNew: Float64Array, g: Float64Array): void {
    const { spareS: s, spareY: y } = this;
    for (let i = 0; i < this.n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (!(sy > 1e-12 * dot(y, y))) return;
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
    const { n, alpha, size } = this;
    d.set(g);
    if (size === 0) {
      for (let i = 0; i < n; i++) d[i] = -d[i];
      return;
    }
    // First loop, newest to oldest: αₖ = ρₖ·sₖᵀd, then d −= αₖ·yₖ (fused with sₖ₋₁ᵀd).
    let next = dot(this.s[this.slot(size - 1)], d);
    for (let k = size - 1; k >= 0; k--) {
      const a = this.rho[this.slot(k)] * next;
      alpha[k] = a;
      next = k > 0 ? axpyDot(d, -a, this.y[this.slot(k)], this.s[this.slot(k - 1)]) : axpyDot(d, -a, this.y[this.slot(k)], undefined);
    }
    const newest = this.slot(size - 1);
    const gamma = dot(this.s[newest], this.y[newest]) / dot(this.y[newest], this.y[newest]);
    // Second loop, oldest to newest: βₖ = ρₖ·yₖᵀd, then d += (αₖ − βₖ)·sₖ (fused with yₖ₊₁ᵀd).
    next = 0;
    for (let i = 0; i < n; i++) {
      d[i] *= gamma;
      next += this.y[this.slot(0)][i] * d[i];
    }
    for (let k = 0; k < size; k++) {
      const b = this.rho[this.slot(k)] * next;
      next = axpyDot(d, alpha[k] - b, this.s[this.slot(k)], k + 1 < size ? this.y[this.slot(k + 1)] : undefined);
    }
    for (let i = 0; i < n; i++) d[i] = -d[i];
  }
}

/** d += a·x, and returns zᵀd of the updated d (0 without z); two sums, so the additions do not wait on each other. */
function axpyDot(d: Float64Array, a: number, x: Float64Array, z: Float64Array | undefined): number {
  const n = d.length;
  if (!z) {
    for (let i = 0; i < n; i++) d[i] += a * x[i];
    return 0;
  }
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const d0 = (d[i] += a * x[i]);
    const d1 = (d[i + 1] += a * x[i + 1]);
    s0 += z[i] * d0;
    s1 += z[i + 1] * d1;
  }
  for (; i < n; i++) s0 += z[i] * (d[i] += a * x[i]);
  return s0 + s1;
}

function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < n) s0 += a[i] * b[i];
  return s0 + s1;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
