// Numbers behind the figures (PCA, t-SNE affinities, CKA, cosine) against NumPy / scikit-learn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { LayerStack } from '../src/core/activations.js';
import { Random } from '../src/core/random.js';
import { orthonormalizeRows, symmetricEigen } from '../src/viz/linalg.js';
import { pca } from '../src/viz/pca.js';
import { tsne, tsneAffinities } from '../src/viz/tsne.js';
import { ckaMatrix, linearCKA } from '../src/viz/cka.js';
import { cosineSimilarity } from '../src/core/vectors.js';

/** Runs Python (Debian's, with numpy and scikit-learn) on JSON `input` (as variable `data`); returns its printed JSON. */
function python(code: string, input: unknown): any {
  const script = `import json, sys\nimport numpy as np\ndata = json.load(sys.stdin)\n${code}`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' }));
}

/** Row-major [rows, dim] Gaussian data, column c scaled by `scale(c)` so the spectrum is well separated. */
function gaussian(rows: number, dim: number, seed: number, scale: (c: number) => number = () => 1): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: rows * dim }, (_, i) => rng.normal() * scale(i % dim));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Compares [k, n] row blocks up to the sign of each row, as PCA axes are only defined up to sign. */
function assertEqualUpToSign(ours: Float64Array, theirs: number[][], tol: number, what: string): void {
  const n = theirs[0].length;
  theirs.forEach((row, j) => {
    const mine = ours.subarray(j * n, (j + 1) * n);
    const sign = mine.reduce((s, v, i) => s + v * row[i], 0) >= 0 ? 1 : -1;
    assert.ok(maxAbsDiff(mine.map((v) => v * sign), row) < tol, `${what} ${j} differs from scikit-learn by more than ${tol}`);
  });
}

test('symmetricEigen matches numpy.linalg.eigh', () => {
  const n = 7;
  const b = gaussian(n, n, 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[j * n + i];
  const ours = symmetricEigen(a, n);
  const ref = python('w = np.linalg.eigh(np.array(data).reshape(7, 7))[0][::-1]; print(json.dumps(w.tolist()))', Array.from(a));
  assert.ok(maxAbsDiff(ours.values, ref) < 1e-10);
  for (let j = 0; j < n; j++) {
    // A v = λ v for every returned column.
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[i * n + k] * ours.vectors[k * n + j];
      assert.ok(Math.abs(av - ours.values[j] * ours.vectors[i * n + j]) < 1e-9);
    }
  }
});

for (const [rows, dim, k] of [[300, 40, 3], [25, 120, 2]] as const) {
  test(`pca on ${rows}×${dim} matches sklearn PCA (k=${k}, up to sign)`, () => {
    const x = gaussian(rows, dim, rows + dim, (c) => 1 + (c < 5 ? 6 - c : 0) * 1.5);
    const ours = pca(x, rows, dim, k);
    const ref = python(
      `from sklearn.decomposition import PCA
X = np.array(data['x'], dtype=np.float64).reshape(${rows}, ${dim})
p = PCA(n_components=${k}, svd_solver='full').fit(X)
print(json.dumps({'components': p.components_.tolist(), 'scores': p.transform(X).T.tolist(), 'var': p.explained_variance_.tolist()}))`,
      { x: Array.from(x) },
    );
    assert.ok(maxAbsDiff(ours.explainedVariance, ref.var) < 1e-8 * ref.var[0]);
    assertEqualUpToSign(ours.components, ref.components, 1e-6, 'component');
    const scoresByComponent = new Float64Array(k * rows);
    for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) scoresByComponent[j * rows + r] = ours.scores[r * k + j];
    assertEqualUpToSign(scoresByComponent, ref.scores, 1e-5, 'scores along component');
  });
}

test('tsneAffinities match scikit-learn _joint_probabilities', () => {
  const n = 60;
  const x = gaussian(n, 5, 7);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < 5; c++) s += (x[i * 5 + c] - x[j * 5 + c]) ** 2;
    d[i * n + j] = s;
  }
  const ours = tsneAffinities(d, n, 10);
  const ref = python(
    `from sklearn.manifold._t_sne import _joint_probabilities
from scipy.spatial.distance import squareform
P = squareform(_joint_probabilities(np.array(data, dtype=np.float64).reshape(${n}, ${n}), 10, 0))
print(json.dumps(P.ravel().tolist()))`,
    Array.from(d),
  );
  assert.ok(maxAbsDiff(ours, ref) < 1e-6 * Math.max(...ref), 'P differs from scikit-learn');
});

test('tsne keeps three separated clusters apart (1-NN in 2-D recovers every label)', () => {
  const perCluster = 30;
  const dim = 20;
  const rng = new Random(3);
  const x = new Float32Array(3 * perCluster * dim);
  const labels: number[] = [];
  for (let c = 0; c < 3; c++) for (let i = 0; i < perCluster; i++) {
    const row = c * perCluster + i;
    labels.push(c);
    for (let k = 0; k < dim; k++) x[row * dim + k] = rng.normal() + (k === c ? 8 : 0);
  }
  const y = tsne(x, labels.length, dim, { iterations: 400 });
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < labels.length; j++) {
      const dd = (y[i * 2] - y[j * 2]) ** 2 + (y[i * 2 + 1] - y[j * 2 + 1]) ** 2;
      if (j !== i && dd < bestD) [best, bestD] = [j, dd];
    }
    if (labels[best] === labels[i]) correct++;
  }
  assert.equal(correct, labels.length);
});

test('linearCKA matches a NumPy implementation and its invariances', () => {
  const rows = 50;
  const x = gaussian(rows, 20, 11);
  const y = Float32Array.from({ length: rows * 8 }, (_, i) => Math.tanh(x[Math.floor(i / 8) * 20 + (i % 8)] * 2) + 0.3 * x[Math.floor(i / 8) * 20 + 10]);
  const ref = python(
    `X = np.array(data['x']).reshape(${rows}, 20); Y = np.array(data['y']).reshape(${rows}, 8)
X = X - X.mean(0); Y = Y - Y.mean(0)
cka = np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y))
print(json.dumps(cka))`,
    { x: Array.from(x), y: Array.from(y) },
  );
  const ours = linearCKA(x, y, rows, 20, 8);
  assert.ok(Math.abs(ours - ref) < 1e-9, `CKA ${ours} vs numpy ${ref}`);
  assert.ok(ours > 0.05 && ours < 0.95, 'the test pair should be neither identical nor unrelated');

  assert.ok(Math.abs(linearCKA(x, x, rows, 20, 20) - 1) < 1e-12);
  // Orthogonal transform, isotropic scaling and a shift leave CKA unchanged.
  const q = Float64Array.from(gaussian(20, 20, 12));
  orthonormalizeRows(q, 20, 20);
  const rotated = new Float64Array(rows * 20);
  for (let r = 0; r < rows; r++) for (let c = 0; c < 20; c++) {
    let s = 0;
    for (let k = 0; k < 20; k++) s += x[r * 20 + k] * q[k * 20 + c];
    rotated[r * 20 + c] = 3.5 * s + 2;
  }
  assert.ok(Math.abs(linearCKA(x, rotated, rows, 20, 20) - 1) < 1e-9);
  assert.ok(Math.abs(linearCKA(rotated, y, rows, 20, 8) - ours) < 1e-9);
  // Not invariant to anisotropic scaling: stretching one axis changes it.
  const stretched = Float64Array.from(x, (v, i) => (i % 20 === 0 ? v * 10 : v));
  assert.ok(Math.abs(linearCKA(stretched, y, rows, 20, 8) - ours) > 1e-3);
});

test('ckaMatrix is the pairwise linearCKA of the hidden states, with ones on the diagonal', () => {
  const rows = 40;
  const dim = 6;
  const h0 = gaussian(rows, dim, 21);
  const h1 = Float32Array.from(h0, (v, i) => v + 0.5 * Math.sin(i));
  const h2 = gaussian(rows, dim, 22);
  const m = ckaMatrix(new LayerStack([0, 1, 2], [h0, h1, h2], rows, dim));
  for (let i = 0; i < 3; i++) assert.equal(m[i * 3 + i], 1);
  assert.ok(Math.abs(m[1] - linearCKA(h0, h1, rows, dim, dim)) < 1e-12);
  assert.equal(m[1], m[3]);
  assert.ok(m[1] > m[2], 'a perturbed copy must be more similar than unrelated data');
});

test('cosineSimilarity matches numpy', () => {
  const a = gaussian(1, 32, 31);
  const b = gaussian(1, 32, 32);
  const ref = python('a = np.array(data[0]); b = np.array(data[1]); print(json.dumps(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))))', [Array.from(a), Array.from(b)]);
  assert.ok(Math.abs(cosineSimilarity(a, b) - ref) < 1e-12);
  assert.ok(Math.abs(cosineSimilarity(a, a) - 1) < 1e-12);
});
