/** Small dense linear algebra on row-major Float64Arrays, enough for PCA and CKA. */

/** Copies a row-major [rows, dim] matrix to float64 with every column's mean subtracted. */
export function centerColumns(data: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const out = Float64Array.from(data as ArrayLike<number>);
  if (out.length !== rows * dim) throw new Error(`centerColumns: expected ${rows}×${dim} = ${rows * dim} values, got ${out.length}`);
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let c = 0; c < dim; c++) mean[c] += out[r * dim + c];
  for (let c = 0; c < dim; c++) mean[c] /= rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < dim; c++) out[r * dim + c] -= mean[c];
  return out;
}

/** Dot product of a[offsetA … offsetA+length) and b[offsetB …), unrolled by four (the hot loop of PCA, CKA and t-SNE). */
export function dot(a: ArrayLike<number>, offsetA: number, b: ArrayLike<number>, offsetB: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    s0 += a[offsetA + i] * b[offsetB + i];
    s1 += a[offsetA + i + 1] * b[offsetB + i + 1];
    s2 += a[offsetA + i + 2] * b[offsetB + i + 2];
    s3 += a[offsetA + i + 3] * b[offsetB + i + 3];
  }
  for (; i < length; i++) s0 += a[offsetA + i] * b[offsetB + i];
  return s0 + s1 + s2 + s3;
}

/**
 * Orthonormalises the `count` rows of a row-major [count, length] matrix in place (modified
 * Gram–Schmidt, two passes for stability). A row that becomes numerically zero is left zero.
 */
export function orthonormalizeRows(m: Float64Array, count: number, length: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < count; j++) {
      const oj = j * length;
      for (let i = 0; i < j; i++) {
        const oi = i * length;
        const d = dot(m, oi, m, oj, length);
        for (let c = 0; c < length; c++) m[oj + c] -= d * m[oi + c];
      }
      const norm = Math.sqrt(dot(m, oj, m, oj, length));
      for (let c = 0; c < length; c++) m[oj + c] = norm > 1e-300 ? m[oj + c] / norm : 0;
    }
  }
}

/**
 * Eigen-decomposition of a small symmetric [n, n] matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and the eigenvectors as the columns of a row-major [n, n] matrix.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      scale += a[i * n + i] ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    }
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}
