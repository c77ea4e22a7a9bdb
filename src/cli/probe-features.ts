import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../io/atomic.js';
import { readNpy } from '../io/npy.js';
import { progressBar } from '../io/progress.js';
import { initBackend } from '../probe/backend.js';
import { fitAndScore, seedList, type LayerScore } from '../probe/fit.js';
import type { Matrix, ProbeKind } from '../probe/types.js';
import { UsageError, type Command } from './command.js';
import { choiceOption, integerOption, requiredOption } from './options.js';

const usage = `usage: layerwise probe-features --train X.npy --train-labels y.txt --test X2.npy --test-labels y2.txt
                                [--probe linear|mlp] [--seeds N] --out results.json

Fits a probe per layer on features made anywhere (e.g. NumPy) and scores it on the test rows.

  --train, --test     float32 .npy, shape [rows, dim] (one layer) or [layers, rows, dim]
  --train-labels,     one label per line (any strings), aligned with the rows
  --test-labels
  --probe KIND        linear (default; L-BFGS, λ chosen on a validation split) or mlp
  --seeds N           seeds per layer, results averaged (default 1)
  --out FILE          writes {"layers": [{"layer", "accuracy", "macro_f1", "fit_seconds"}], …}`;

/** A .npy as one matrix per layer. */
function readLayers(path: string): Matrix[] {
  const { shape, data } = readNpy(path);
  if (shape.length === 2) return [{ data, rows: shape[0], cols: shape[1] }];
  if (shape.length !== 3) throw new Error(`${path}: expected shape [rows, dim] or [layers, rows, dim], got [${shape}]`);
  const [layers, rows, cols] = shape;
  return Array.from({ length: layers }, (_, l) => ({ data: data.subarray(l * rows * cols, (l + 1) * rows * cols), rows, cols }));
}

function readLabelLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const blank = lines.findIndex((l) => l.trim() === '');
  if (blank >= 0) throw new Error(`${path}:${blank + 1}: empty label; write one label per line`);
  return lines;
}

export const probeFeaturesCommand: Command = {
  name: 'probe-features',
  summary: 'fit and score a probe per layer on features from .npy files',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        train: { type: 'string' },
        'train-labels': { type: 'string' },
        test: { type: 'string' },
        'test-labels': { type: 'string' },
        probe: { type: 'string' },
        seeds: { type: 'string' },
        out: { type: 'string' },
      },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const out = requiredOption(values.out, 'out');
    const probe = choiceOption<ProbeKind>(values.probe, 'probe', ['linear', 'mlp'], 'linear');
    const seeds = seedList(integerOption(values.seeds, 'seeds', 1));
    const train = readLayers(requiredOption(values.train, 'train'));
    const test = readLayers(requiredOption(values.test, 'test'));
    const trainLabels = readLabelLines(requiredOption(values['train-labels'], 'train-labels'));
    const testLabels = readLabelLines(requiredOption(values['test-labels'], 'test-labels'));
    if (train.length !== test.length || train[0].cols !== test[0].cols) {
      throw new Error(`train is ${train.length} layer(s) × ${train[0].cols} dims but test is ${test.length} × ${test[0].cols}; they must match`);
    }
    if (train[0].rows !== trainLabels.length) throw new Error(`--train has ${train[0].rows} rows but --train-labels has ${trainLabels.length} lines`);
    if (test[0].rows !== testLabels.length) throw new Error(`--test has ${test[0].rows} rows but --test-labels has ${testLabels.length} lines`);

    const classes = [...new Set([...trainLabels, ...testLabels])].sort();
    const index = new Map(classes.map((c, i) => [c, i]));
    const yTrain = Int32Array.from(trainLabels, (l) => index.get(l)!);
    const yTest = Int32Array.from(testLabels, (l) => index.get(l)!);
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
};
