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
 */
export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const { maxIter, gtol, ftol = 1e-7, memory = 10 } = options;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  const history: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let iterations = 0;
  if (maxAbs(g) <= gtol) return { x, value: fx, iterations, evaluations, converged: true };

  while (iterations < maxIter) {
    iterations++;
    direction(g, history, d, alpha);
    let gd = dot(g, d);
    if (!(gd < 0)) {
      // Not a descent direction (numerical trouble): forget the curvature pairs, go downhill.
      history.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      gd = -dot(g, g);
    }
    let t = history.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    let lo = 0;
    let hi = Infinity;
    let accepted: { x: Float64Array; g: Float64Array; f: number } | undefined;
    let armijoPoint: typeof accepted;
    for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
      const xt = new Float64Array(n);
      for (let i = 0; i < n; i++) xt[i] = x[i] + t * d[i];
      const gt = new Float64Array(n);
      const ft = f(xt, gt);
      evaluations++;
      if (!Number.isFinite(ft) || ft > fx + C1 * t * gd) {
        hi = t;
      } else if (dot(gt, d) < C2 * gd) {
        lo = t;
        armijoPoint = { x: xt, g: gt, f: ft };
      } else {
        accepted = { x: xt, g: gt, f: ft };
        break;
      }
      t = hi < Infinity ? (lo + hi) / 2 : 2 * lo;
    }
    accepted ??= armijoPoint;
    if (!accepted) return { x, value: fx, iterations, evaluations, converged: false }; // no decrease found: float32 noise floor

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = accepted.x[i] - x[i];
      y[i] = accepted.g[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * dot(y, y)) {
      history.push({ s, y, rho: 1 / sy });
      if (history.length > memory) history.shift();
    }
    const previous = fx;
    x = accepted.x;
    g = accepted.g;
    fx = accepted.f;
    if (maxAbs(g) <= gtol) return { x, value: fx, iterations, evaluations, converged: true };
    if ((previous - fx) / Math.max(Math.abs(previous), Math.abs(fx), 1) <= ftol) {
      return { x, value: fx, iterations, evaluations, converged: true };
    }
  }
  return { x, value: fx, iterations, evaluations, converged: false };
}

/** d = −H·g by the two-loop recursion, with H₀ = (sᵀy / yᵀy)·I from the newest pair. */
function direction(g: Float64Array, history: { s: Float64Array; y: Float64Array; rho: number }[], d: Float64Array, alpha: Float64Array): void {
  d.set(g);
  for (let k = history.length - 1; k >= 0; k--) {
    const { s, y, rho } = history[k];
    const a = rho * dot(s, d);
    alpha[k] = a;
    for (let i = 0; i < d.length; i++) d[i] -= a * y[i];
  }
  if (history.length > 0) {
    const { s, y } = history[history.length - 1];
    const gamma = dot(s, y) / dot(y, y);
    for (let i = 0; i < d.length; i++) d[i] *= gamma;
  }
  for (let k = 0; k < history.length; k++) {
    const { s, y, rho } = history[k];
    const b = rho * dot(y, d);
    const a = alpha[k] - b;
    for (let i = 0; i < d.length; i++) d[i] += a * s[i];
  }
  for (let i = 0; i < d.length; i++) d[i] = -d[i];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
