import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { readNpy, writeNpy } from '../src/core/npy.js';
import { initBackend } from '../src/probe/backend.js';
import { LinearProbe } from '../src/probe/linear.js';
import { macroF1 } from '../src/probe/metrics.js';
import { gaussianClusters } from '../src/probe/synthetic.js';
import type { Matrix } from '../src/core/activations.js';

// scikit-learn is the reference: its own cross-validated C, its own lbfgs optimum at a fixed C, its own macro-F1.
const SKLEARN = String.raw`
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import f1_score
from sklearn.preprocessing import StandardScaler
d, C = sys.argv[1], float(sys.argv[2])
Xtr, Xte = np.load(d + '/X_train.npy'), np.load(d + '/X_test.npy')
ytr, yte = np.loadtxt(d + '/y_train.txt', dtype=int), np.loadtxt(d + '/y_test.txt', dtype=int)
ours = np.loadtxt(d + '/ours.txt', dtype=int)
scaler = StandardScaler().fit(Xtr)
Str, Ste = scaler.transform(Xtr), scaler.transform(Xte)
cv = LogisticRegressionCV(Cs=np.logspace(-4, 2, 13), cv=5, max_iter=2000).fit(Str, ytr)
fixed = LogisticRegression(C=C, max_iter=2000, tol=1e-8).fit(Str, ytr)
np.save(d + '/proba.npy', fixed.predict_proba(Ste).astype(np.float32))
print(json.dumps({'cv_accuracy': cv.score(Ste, yte), 'cv_C': float(cv.C_[0]), 'macro_f1': f1_score(yte, ours, average='macro')}))
`;

const TRAIN = 3000;
const TEST = 3000;
const DIM = 96;
const CLASSES = 5;
const C = 0.05;
let dir: string;

before(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'layerwise-probe-sklearn-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

it('linear probe matches scikit-learn LogisticRegression: tuned accuracy within 1 point, same optimum at fixed C', (t) => {
  const { X, y } = gaussianClusters({ rows: TRAIN + TEST, dim: DIM, classes: CLASSES, separation: 0.22, seed: 11 });
  const train: Matrix = { data: X.data.subarray(0, TRAIN * DIM), rows: TRAIN, cols: DIM };
  const test: Matrix = { data: X.data.subarray(TRAIN * DIM), rows: TEST, cols: DIM };
  const yTrain = y.subarray(0, TRAIN);
  const yTest = y.subarray(TRAIN);
  const tuned = new LinearProbe({ seed: 0 }).fit(train, yTrain, CLASSES);
  const predicted = tuned.predict(test);
  const fixed = new LinearProbe({ l2: 1 / (C * TRAIN), tol: 1e-6, maxIter: 500 }).fit(train, yTrain, CLASSES);

  writeNpy(join(dir, 'X_train.npy'), [TRAIN, DIM], train.data);
  writeNpy(join(dir, 'X_test.npy'), [TEST, DIM], test.data);
  writeFileSync(join(dir, 'y_train.txt'), yTrain.join('\n') + '\n');
  writeFileSync(join(dir, 'y_test.txt'), yTest.join('\n') + '\n');
  writeFileSync(join(dir, 'ours.txt'), predicted.join('\n') + '\n');
  const run = spawnSync('/usr/bin/python3', ['-c', SKLEARN, dir, String(C)], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  assert.equal(run.status, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as { cv_accuracy: number; cv_C: number; macro_f1: number };

  const ours = tuned.score(test, yTest);
  assert.ok(ours > 0.5 && ours < 0.98, `accuracy ${ours}: the data should be neither trivial nor hopeless`);
  assert.ok(Math.abs(ours - reference.cv_accuracy) <= 0.01, `ours ${ours} vs sklearn ${reference.cv_accuracy} (C=${reference.cv_C})`);
  assert.ok(Math.abs(macroF1(predicted, yTest, CLASSES) - reference.macro_f1) < 1e-9);

  const theirs = readNpy(join(dir, 'proba.npy')).data;
  const mine = fixed.predictProba(test);
  let worst = 0;
  for (let i = 0; i < mine.length; i++) worst = Math.max(worst, Math.abs(mine[i] - theirs[i]));
  t.diagnostic(`accuracy ${ours} vs sklearn ${reference.cv_accuracy} (λ ${tuned.fitInfo!.l2} vs C ${reference.cv_C}); max |Δp| ${worst.toExponential(2)}`);
  assert.ok(worst < 2e-3, `probabilities differ from sklearn's by up to ${worst}`);
});

it('a class absent from training: the present classes get scikit-learn\'s probabilities (it fits only them) times 1 − A/(n+K), each absent class 1/(n+K)', () => {
  const K = 4;
  const absent = 2;
  const { X, y } = gaussianClusters({ rows: 1200, dim: 24, classes: K, separation: 0.3, seed: 5 });
  const keep = Array.from(y.keys()).filter((i) => y[i] !== absent);
  const n = keep.length - 400;
  const rows = (from: number, to: number): Matrix => ({ data: Float32Array.from(keep.slice(from, to).flatMap((i) => Array.from(X.data.subarray(i * 24, (i + 1) * 24)))), rows: to - from, cols: 24 });
  const train = rows(0, n);
  const test = rows(n, keep.length);
  const yTrain = Int32Array.from(keep.slice(0, n), (i) => y[i]);
  const probe = new LinearProbe({ l2: 1 / (C * n), tol: 1e-6, maxIter: 500 }).fit(train, yTrain, K);
  writeNpy(join(dir, 'A_train.npy'), [n, 24], train.data);
  writeNpy(join(dir, 'A_test.npy'), [test.rows, 24], test.data);
  writeFileSync(join(dir, 'A_y.txt'), yTrain.join('\n') + '\n');
  const script = String.raw`
import sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
d, C = sys.argv[1], float(sys.argv[2])
X, T, y = np.load(d + '/A_train.npy'), np.load(d + '/A_test.npy'), np.loadtxt(d + '/A_y.txt', dtype=int)
s = StandardScaler().fit(X)
m = LogisticRegression(C=C, max_iter=2000, tol=1e-8).fit(s.transform(X), y)
assert list(m.classes_) == [0, 1, 3]
np.save(d + '/A_proba.npy', m.predict_proba(s.transform(T)).astype(np.float32))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, dir, String(C)], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  assert.equal(run.status, 0, run.stderr);
  const theirs = readNpy(join(dir, 'A_proba.npy')).data;
  const mine = probe.predictProba(test);
  const floor = 1 / (n + K);
  let worst = 0;
  for (let r = 0; r < test.rows; r++) {
    assert.ok(Math.abs(mine[r * K + absent] - floor) < 1e-9, `row ${r}: absent class has ${mine[r * K + absent]}, expected ${floor}`);
    [0, 1, 3].forEach((c, j) => (worst = Math.max(worst, Math.abs(mine[r * K + c] - theirs[r * 3 + j] * (1 - floor)))));
  }
  assert.ok(worst < 2e-3, `present-class probabilities differ from sklearn's × (1 − 1/(n+K)) by up to ${worst}`);
  assert.ok(!probe.predict(test).includes(absent), 'an absent class is never predicted');
});
