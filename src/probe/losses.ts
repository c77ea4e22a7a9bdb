// The linear probe's summed cross-entropies, in float64 over the backend's float32 logits.

/** Σ softplus(z) − t·z over the rows (one logit, labels 0/1), writing σ(z) − t into `residual`. */
export function logisticLoss(z: Float32Array, labels: Int32Array, residual: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const zi = z[i];
    const t = labels[i];
    const e = Math.exp(-Math.abs(zi));
    sum += Math.max(zi, 0) + Math.log1p(e) - t * zi;
    residual[i] = (zi >= 0 ? 1 : e) / (1 + e) - t;
  }
  return sum;
}

/**
 * Σ −log p(class of row i), from the backend's float32 softmax `p` of logits `z` (row-major, one
 * column per class); a row whose class has underflowed (p < 1e-30, where float32 has lost its
 * digits) is summed from its logits instead.
 */
export function softmaxLoss(p: Float32Array, z: Float32Array, labels: Int32Array): number {
  const outputs = p.length / labels.length;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const q = p[i * outputs + labels[i]];
    if (q > 1e-30) {
      sum -= Math.log(q);
      continue;
    }
    const row = i * outputs;
    let max = -Infinity;
    for (let c = 0; c < outputs; c++) max = Math.max(max, z[row + c]);
    let total = 0;
    for (let c = 0; c < outputs; c++) total += Math.exp(z[row + c] - max);
    sum += max + Math.log(total) - z[row + labels[i]];
  }
  return sum;
}
