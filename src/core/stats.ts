/** Mean with a 95% confidence interval (Student's t), e.g. over probe seeds. */
export interface MeanCI {
  mean: number;
  low: number;
  high: number;
}

// t quantile 0.975 for 1 … 30 degrees of freedom.
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/** Student's t 0.975 quantile: the table up to 30 df, then the Cornish–Fisher expansion (A&S 26.7.5); within 1e-4 of the exact value. */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new Error(`degrees of freedom must be ≥ 1, got ${df}`);
  if (df <= 30 && Number.isInteger(df)) return T975[df - 1];
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  const g1 = (z3 + z) / 4;
  const g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  const g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/**
 * Mean and 95% t-interval: mean ± t(0.975, n−1)·s/√n with the sample standard deviation s.
 * Non-finite values are ignored. One value gives low = high = mean (no spread to estimate);
 * none gives NaN everywhere.
 */
export function meanCI(values: readonly number[]): MeanCI {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN };
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, low: mean, high: mean };
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}
