/**
 * Linear probe fit time and accuracy against scikit-learn's LogisticRegression (lbfgs) on the
 * same synthetic 8,000 × 768 training matrices (2 and 17 classes), in the same run:
 *   - fixed C: standardize + one fit (both sides), C = 1/(λ·n);
 *   - tuned: the same validation walk over λ (same split, grid, patience, warm starts) + refit.
 * Times are medians of --repeats runs. Also times the fixed-C fit on tfjs's plain-JS cpu backend.
 *
 *   npm run bench:probe [-- --repeats 3 --skip-cpu]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { writeNpy } from '../src/core/npy.js';
import { initBackend } from '../src/probe/backend.js';
import { LinearProbe } from '../src/probe/linear.js';
import { holdOut } from '../src/probe/search.js';
import { gaussianClusters } from '../src/probe/synthetic.js';
import type { Matrix } from '../src/core/activations.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, 'skip-cpu': { type: 'boolean', default: false } } });
const repeats = Number(values.repeats);
const TRAIN = 8000;
const TEST = 2000;
const DIM = 768;
const C = 0.1; // fixed-C comparison: λ = 1/(C·n)
const GRID_C = Array.from({ length: 13 }, (_, i) => 10 ** (-3 + i / 2)); // LinearProbe's default grid, in sklearn's C
const PATIENCE = 3; // LinearProbe's: grid steps without a better validation accuracy
const VALIDATION = 0.2;
const SEED = 0;

const SKLEARN = String.raw`
import json, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

d, C, repeats = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
grid, patience = json.loads(sys.argv[4]), int(sys.argv[5])
Xtr, Xte = np.load(d + '/X_train.npy'), np.load(d + '/X_test.npy')
ytr, yte = np.loadtxt(d + '/y_train.txt', dtype=int), np.loadtxt(d + '/y_test.txt', dtype=int)
fit_rows, val_rows = np.load(d + '/fit_rows.npy').astype(int), np.load(d + '/validation_rows.npy').astype(int)

def fixed():
    scaler = StandardScaler().fit(Xtr)
    return scaler, LogisticRegression(C=C, max_iter=100, tol=1e-4).fit(scaler.transform(Xtr), ytr)

def tuned():
    scaler = StandardScaler().fit(Xtr[fit_rows])
    Xf, Xv = scaler.transform(Xtr[fit_rows]), scaler.transform(Xtr[val_rows])
    model = LogisticRegression(max_iter=100, tol=1e-4, warm_start=True)
    best, since = None, 0
    for c in sorted(grid):
        model.set_params(C=c).fit(Xf, ytr[fit_rows])
        acc = model.score(Xv, ytr[val_rows])
        if best is None or acc > best[1]:
            best, since = (c, acc, model.coef_.copy(), model.intercept_.copy()), 0
        else:
            since += 1
            if since >= patience:
                break
    lam = 1 / (best[0] * len(fit_rows))  # the chosen λ, refit on all rows as LinearProbe does
    scaler = StandardScaler().fit(Xtr)
    final = LogisticRegression(C=1 / (lam * len(ytr)), max_iter=100, tol=1e-4, warm_start=True)
    final.coef_, final.intercept_ = best[2], best[3]
    return scaler, final.fit(scaler.transform(Xtr), ytr), lam

out = {}
for name, run in [('fixed', fixed), ('tuned', tuned)]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); result = run(); times.append(time.perf_counter() - t)
    scaler, model = result[0], result[1]
    out[name] = {'seconds': float(np.median(times)), 'accuracy': float(model.score(scaler.transform(Xte), yte)),
                 'iterations': int(np.max(model.n_iter_)), 'l2': result[2] if len(result) > 2 else 1 / (C * len(ytr))}
print(json.dumps(out))
`;

interface Run {
  seconds: number;
  accuracy: number;
  iterations: number;
  l2: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ours(train: Matrix, yTrain: Int32Array, test: Matrix, yTest: Int32Array, classes: number, l2: number | undefined, times: number): Run {
  const seconds: number[] = [];
  let probe: LinearProbe | undefined;
  for (let i = 0; i < times; i++) {
    probe = new LinearProbe({ l2, validationFraction: VALIDATION, seed: SEED }).fit(train, yTrain, classes);
    seconds.push(probe.fitInfo!.seconds);
  }
  return { seconds: median(seconds), accuracy: probe!.score(test, yTest), iterations: probe!.fitInfo!.iterations, l2: probe!.fitInfo!.l2 };
}

function sklearn(dir: string): { fixed: Run; tuned: Run } {
  const result = spawnSync('/usr/bin/python3', ['-c', SKLEARN, dir, String(C), String(repeats), JSON.stringify(GRID_C), String(PATIENCE)], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  if (result.status !== 0) throw new Error(`scikit-learn run failed: ${result.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(result.stdout);
}

const fmt = (r: Run) => `${r.seconds.toFixed(3)} s  acc ${(100 * r.accuracy).toFixed(2)}%  iters ${r.iterations}  λ ${r.l2.toExponential(2)}`;

const backend = await initBackend();
console.log(`layerwise linear probe vs scikit-learn LogisticRegression(lbfgs); tfjs backend: ${backend}; ${TRAIN}×${DIM} train, ${TEST} test; median of ${repeats}`);
for (const [classes, separation] of [
  [2, 0.06],
  [17, 0.12],
]) {
  const { X, y } = gaussianClusters({ rows: TRAIN + TEST, dim: DIM, classes, separation, seed: classes });
  const train: Matrix = { data: X.data.subarray(0, TRAIN * DIM), rows: TRAIN, cols: DIM };
  const test: Matrix = { data: X.data.subarray(TRAIN * DIM), rows: TEST, cols: DIM };
  const yTrain = y.subarray(0, TRAIN);
  const yTest = y.subarray(TRAIN);
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-probe-'));
  try {
    writeNpy(join(dir, 'X_train.npy'), [TRAIN, DIM], train.data);
    writeNpy(join(dir, 'X_test.npy'), [TEST, DIM], test.data);
    writeFileSync(join(dir, 'y_train.txt'), Array.from(yTrain).join('\n') + '\n');
    writeFileSync(join(dir, 'y_test.txt'), Array.from(yTest).join('\n') + '\n');
    const split = holdOut(TRAIN, VALIDATION, SEED); // the split LinearProbe carves, so both walk the same data
    writeNpy(join(dir, 'fit_rows.npy'), [split.fit.length], Float32Array.from(split.fit));
    writeNpy(join(dir, 'validation_rows.npy'), [split.heldOut.length], Float32Array.from(split.heldOut));

    const mine = {
      fixed: ours(train, yTrain, test, yTest, classes, 1 / (C * TRAIN), repeats),
      tuned: ours(train, yTrain, test, yTest, classes, undefined, repeats),
    };
    const theirs = sklearn(dir);
    console.log(`\n${classes} classes`);
    for (const kind of ['fixed', 'tuned'] as const) {
      const label = kind === 'fixed' ? `fixed C=${C}` : 'tuned λ   ';
      console.log(`  ${label}  layerwise ${fmt(mine[kind])}`);
      console.log(`  ${' '.repeat(label.length)}  sklearn   ${fmt(theirs[kind])}`);
      console.log(`  ${' '.repeat(label.length)}  time ratio ${(mine[kind].seconds / theirs[kind].seconds).toFixed(2)}×, accuracy Δ ${(100 * (mine[kind].accuracy - theirs[kind].accuracy)).toFixed(2)} points`);
    }
    if (!values['skip-cpu']) {
      await tf.setBackend('cpu');
      const cpu = ours(train, yTrain, test, yTest, classes, 1 / (C * TRAIN), 1);
      await tf.setBackend(backend);
      console.log(`  fixed C on tfjs cpu backend: ${fmt(cpu)}  (${(cpu.seconds / mine.fixed.seconds).toFixed(1)}× the ${backend} time)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
