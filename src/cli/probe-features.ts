import type { Matrix } from '../core/activations.js';
import { writeFileAtomic } from '../core/atomic.js';
import { readNpy } from '../core/npy.js';
import { progressBar } from '../core/progress.js';
import { firstNonFinite, readTextLines } from '../core/validate.js';
import { PROBE_OPTIONS, defineCommand } from './options.js';

/** A .npy as one matrix per layer: at least one layer, row and dimension, every value finite. */
function readLayers(path: string): Matrix[] {
  const { shape, data } = readNpy(path);
  if (shape.length !== 2 && shape.length !== 3) throw new Error(`${path}: expected shape [rows, dim] or [layers, rows, dim], got [${shape}]`);
  const [layers, rows, cols] = shape.length === 2 ? [1, ...shape] : shape;
  const empty = [['layers', layers], ['rows', rows], ['dimensions', cols]].find(([, n]) => n === 0);
  if (empty) throw new Error(`${path}: shape [${shape}] has no ${empty[0]}; save the features with at least one`);
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    const at = shape.length === 3 ? `layer ${Math.floor(bad / (rows * cols))}, ` : '';
    throw new Error(`${path}: ${at}row ${Math.floor(bad / cols) % rows}, column ${bad % cols} is ${data[bad]}; features must be finite numbers (fill or drop those rows)`);
  }
  return Array.from({ length: layers }, (_, l) => ({ data: data.subarray(l * rows * cols, (l + 1) * rows * cols), rows, cols }));
}

/**
 * Class indices for both label files, from the training labels: a single training class is an
 * error (nothing to probe); test labels never seen in training are reported, as they can only be wrong.
 */
function encodeLabels(trainLabels: string[], testLabels: string[], testPath: string): { classes: string[]; yTrain: Int32Array; yTest: Int32Array } {
  const trained = [...new Set(trainLabels)].sort();
  if (trained.length < 2) throw new Error(`--train-labels has a single class ("${trained[0]}"); a probe needs at least 2`);
  const unseen = [...new Set(testLabels.filter((l) => !trained.includes(l)))].sort();
  if (unseen.length) {
    const rows = testLabels.filter((l) => unseen.includes(l)).length;
    console.error(`layerwise probe-features: warning: ${testPath}: label(s) ${unseen.map((l) => `"${l}"`).join(', ')} never occur in --train-labels; their ${rows} test row(s) are always mispredicted`);
  }
  const classes = [...trained, ...unseen];
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, yTrain: Int32Array.from(trainLabels, (l) => index.get(l)!), yTest: Int32Array.from(testLabels, (l) => index.get(l)!) };
}

export const probeFeaturesCommand = defineCommand({
  name: 'probe-features',
  summary: 'fit and score a probe per layer on features from .npy files',
  description: `Fits a probe per layer on features made anywhere (e.g. NumPy) and scores it on the test rows.
Writes {"layers": [{"layer", "accuracy", "macro_f1", "fit_seconds"}], …}.`,
  options: {
    train: { type: 'string', placeholder: 'X.npy', required: true, help: 'float32 .npy, shape [rows, dim] (one layer) or [layers, rows, dim]' },
    'train-labels': { type: 'string', placeholder: 'y.txt', required: true, help: 'one label per line (any strings), aligned with the rows' },
    test: { type: 'string', placeholder: 'X2.npy', required: true, help: 'test features, same layout as --train' },
    'test-labels': { type: 'string', placeholder: 'y2.txt', required: true, help: 'test labels, one per line' },
    ...PROBE_OPTIONS,
    seeds: { type: 'integer', min: 1, default: 1, help: 'seeds per layer, results averaged' },
    out: { type: 'string', placeholder: 'results.json', required: true, help: 'the JSON file to write' },
  },
  async run(values) {
    const [{ initBackend }, { fitAndScore, seedList }] = await Promise.all([import('../probe/backend.js'), import('../study/fit.js')]);
    type LayerScore = ReturnType<typeof fitAndScore>;
    const { out, probe } = values;
    const seeds = seedList(values.seeds);
    const train = readLayers(values.train);
    const test = readLayers(values.test);
    const trainLabels = readTextLines(values['train-labels']);
    const testLabels = readTextLines(values['test-labels']);
    if (train.length !== test.length || train[0].cols !== test[0].cols) {
      throw new Error(`train is ${train.length} layer(s) × ${train[0].cols} dims but test is ${test.length} × ${test[0].cols}; they must match`);
    }
    if (train[0].rows !== trainLabels.length) throw new Error(`--train has ${train[0].rows} rows but --train-labels has ${trainLabels.length} lines`);
    if (test[0].rows !== testLabels.length) throw new Error(`--test has ${test[0].rows} rows but --test-labels has ${testLabels.length} lines`);
    const { classes, yTrain, yTest } = encodeLabels(trainLabels, testLabels, values['test-labels']);
    const backend = await initBackend();
    const progress = progressBar(`probe-features (${probe}, ${backend})`);
    const total = train.length * seeds.length;
    const layers = [];
    for (let layer = 0; layer < train.length; layer++) {
      const scores: LayerScore[] = [];
      for (const seed of seeds) {
        scores.push(fitAndScore(train[layer], yTrain, test[layer], yTest, classes.length, { kind: probe, seed }));
        progress({ done: layer * seeds.length + scores.length, total, label: `layer ${layer}` });
      }
      const mean = (pick: (s: LayerScore) => number) => scores.reduce((sum, s) => sum + pick(s), 0) / scores.length;
      layers.push({ layer, accuracy: mean((s) => s.accuracy), macro_f1: mean((s) => s.macroF1), fit_seconds: mean((s) => s.fitSeconds) });
    }
    writeFileAtomic(out, JSON.stringify({ probe, backend, seeds: seeds.length, classes, layers }, null, 2) + '\n');
    return 0;
  },
});
