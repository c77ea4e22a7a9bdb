/**
 * Probe fit time and accuracy against scikit-learn in the same run, on the same synthetic
 * 8,000 × 768 training matrices (2 and 17 classes) and 2,000 test rows:
 *   - linear, fixed C: standardize + one fit, against LogisticRegression(lbfgs, C = 1/(λ·n));
 *   - linear, tuned: the same validation walk over λ (same split, grid, patience, warm starts) + refit;
 *   - mlp: MlpProbe (256 hidden units, Adam, early stopping; tuned λ and one fixed λ) against
 *     MLPClassifier(hidden_layer_sizes=(256,), solver='adam', early_stopping=True,
 *     validation_fraction=0.1, n_iter_no_change=10), scikit-learn's defaults otherwise.
 * The machine is shared, so every time is the best of --repeats runs, ours and scikit-learn's
 * interleaved (one scikit-learn worker process answers between our fits), and the ratio is the
 * figure to read; the load average is printed before and after.
 *
 *   npm run bench:probe [-- --repeats 3 --skip-mlp --cpu]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { writeNpy } from '../src/core/npy.js';
import { initBackend } from '../src/probe/backend.js';
import { LinearProbe } from '../src/probe/linear.js';
import { MlpProbe } from '../src/probe/mlp.js';
import { holdOut } from '../src/probe/search.js';
import { gaussianClusters } from '../src/probe/synthetic.js';
import type { Matrix } from '../src/core/activations.js';
import type { Probe } from '../src/probe/types.js';
import { cpuModel } from '../src/core/matmul-rate.js';
import { loadavg, Sklearn } from './sklearn.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    'skip-mlp': { type: 'boolean', default: false },
    cpu: { type: 'boolean', default: false }, // also time the fixed-C fit once on tfjs's plain-JS cpu backend
  },
});
const repeats = Number(values.repeats);
const TRAIN = 8000;
const TEST = 2000;
const DIM = 768;
const C = 0.1; // fixed-C comparison: λ = 1/(C·n)
const GRID_C = Array.from({ length: 13 }, (_, i) => 10 ** (-3 + i / 2)); // LinearProbe's default grid, in sklearn's C
const PATIENCE = 3; // LinearProbe's: grid steps without a better validation accuracy
const VALIDATION = 0.2;
const SEED = 0;
const HIDDEN = 256;
const MLP_L2 = 1e-3; // the fixed-λ MLP run: the middle of MlpProbe's default grid

interface Run {
  seconds: number;
  accuracy: number;
  iterations: number; // L-BFGS iterations or epochs of the final fit
  l2: number; // λ (linear, ours' MLP) or sklearn's alpha (sklearn's MLP)
}

function timed(make: () => Probe, train: Matrix, yTrain: Int32Array, test: Matrix, yTest: Int32Array, classes: number): Run {
  const probe = make().fit(train, yTrain, classes);
  const info = probe.fitInfo!;
  return { seconds: info.seconds, accuracy: probe.score(test, yTest), iterations: info.iterations, l2: info.l2 };
}

/** Best time over the repeats (the least disturbed by other work); accuracy and λ are deterministic. */
function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const fmt = (r: Run, unit: string) => `${r.seconds.toFixed(3)} s  acc ${(100 * r.accuracy).toFixed(2)}%  ${unit} ${r.iterations}  λ ${r.l2.toExponential(2)}`;

const backend = await initBackend();
console.log(`CPU: ${cpuModel()}, ${cpus().length} cores; load average ${loadavg()} at start`);
console.log(`layerwise probes vs scikit-learn; tfjs backend: ${backend}; ${TRAIN}×${DIM} train, ${TEST} test; best of ${repeats}, interleaved`);
const sklearn = new Sklearn();
try {
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
      await sklearn.ask({ load: dir });

      const cases: { label: string; unit: string; ours: () => Probe; theirs: object }[] = [
        { label: `linear, fixed C=${C}`, unit: 'iters', ours: () => new LinearProbe({ l2: 1 / (C * TRAIN), seed: SEED }), theirs: { run: 'fixed', C } },
        { label: 'linear, tuned λ', unit: 'iters', ours: () => new LinearProbe({ validationFraction: VALIDATION, seed: SEED }), theirs: { run: 'tuned', grid: GRID_C, patience: PATIENCE } },
      ];
      if (!values['skip-mlp']) {
        cases.push(
          { label: `mlp ${HIDDEN}, tuned λ`, unit: 'epochs', ours: () => new MlpProbe({ hidden: HIDDEN, seed: SEED }), theirs: { run: 'mlp', hidden: HIDDEN } },
          { label: `mlp ${HIDDEN}, λ=${MLP_L2}`, unit: 'epochs', ours: () => new MlpProbe({ hidden: HIDDEN, l2: MLP_L2, seed: SEED }), theirs: { run: 'mlp', hidden: HIDDEN } },
        );
      }
      const mine = cases.map((): Run[] => []);
      const theirs = cases.map((): Run[] => []);
      for (let r = 0; r < repeats; r++) {
        for (const [i, c] of cases.entries()) {
          mine[i].push(timed(c.ours, train, yTrain, test, yTest, classes));
          // The two MLP rows share one scikit-learn configuration: time it once per round.
          theirs[i].push(i > 0 && JSON.stringify(c.theirs) === JSON.stringify(cases[i - 1].theirs) ? theirs[i - 1][r] : await sklearn.ask<Run>(c.theirs));
        }
      }
      console.log(`\n${classes} classes (load average ${loadavg()})`);
      for (const [i, c] of cases.entries()) {
        const [a, b] = [best(mine[i]), best(theirs[i])];
        console.log(`  ${c.label}`);
        console.log(`    layerwise ${fmt(a, c.unit)}`);
        console.log(`    sklearn   ${fmt(b, c.unit)}`);
        console.log(`    time ratio ${(a.seconds / b.seconds).toFixed(2)}×, accuracy Δ ${(100 * (a.accuracy - b.accuracy)).toFixed(2)} points`);
      }
      if (values.cpu) {
        await tf.setBackend('cpu');
        const cpu = timed(cases[0].ours, train, yTrain, test, yTest, classes);
        await tf.setBackend(backend);
        console.log(`  fixed C on tfjs cpu backend: ${fmt(cpu, 'iters')}  (${(cpu.seconds / best(mine[0]).seconds).toFixed(1)}× the ${backend} time)`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  sklearn.close();
}
console.log(`\nload average ${loadavg()} at the end`);
