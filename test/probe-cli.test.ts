import assert from 'node:assert/strict';
import { cli as run } from './helpers.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { writeNpy } from '../src/core/npy.js';
import { gaussianClusters } from '../src/probe/synthetic.js';
import { Random } from '../src/core/random.js';

// Runs the built CLI (npm test compiles dist/ first).
const cli = (args: string[]) => run(['probe-features', ...args]);

const TRAIN = 500;
const TEST = 300;
const DIM = 16;
const NAMES = ['NOUN', 'VERB', 'ADJ'];
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerwise-probe-cli-'));
  const { X, y } = gaussianClusters({ rows: TRAIN + TEST, dim: DIM, classes: 3, separation: 2, seed: 9, factors: 4, factorScale: 1 });
  const rng = new Random(1);
  const noise = Float32Array.from({ length: (TRAIN + TEST) * DIM }, () => rng.normal());
  // [layers, rows, dim]: layer 0 is noise, layer 1 the clusters.
  writeNpy(join(dir, 'train.npy'), [2, TRAIN, DIM], [noise.subarray(0, TRAIN * DIM), X.data.subarray(0, TRAIN * DIM)]);
  writeNpy(join(dir, 'test.npy'), [2, TEST, DIM], [noise.subarray(TRAIN * DIM), X.data.subarray(TRAIN * DIM)]);
  writeNpy(join(dir, 'test-one-layer.npy'), [TEST, DIM], X.data.subarray(TRAIN * DIM));
  writeFileSync(join(dir, 'train.txt'), Array.from(y.subarray(0, TRAIN), (c) => NAMES[c]).join('\n') + '\n');
  writeFileSync(join(dir, 'test.txt'), Array.from(y.subarray(TRAIN), (c) => NAMES[c]).join('\n') + '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

it('probe-features fits every layer of .npy features and writes accuracy per layer', () => {
  const out = join(dir, 'out', 'r.json');
  const run = cli(['--train', join(dir, 'train.npy'), '--train-labels', join(dir, 'train.txt'), '--test', join(dir, 'test.npy'), '--test-labels', join(dir, 'test.txt'), '--seeds', '2', '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /probe-features/); // progress goes to stderr
  assert.equal(run.stdout, '');
  const result = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(result.classes, ['ADJ', 'NOUN', 'VERB']);
  assert.equal(result.seeds, 2);
  assert.deepEqual(
    result.layers.map((l: { layer: number }) => l.layer),
    [0, 1],
  );
  const [noise, signal] = result.layers;
  assert.ok(noise.accuracy < 0.45, `noise layer accuracy ${noise.accuracy}`);
  assert.ok(signal.accuracy > 0.95 && signal.macro_f1 > 0.95, `signal layer ${JSON.stringify(signal)}`);
  assert.ok(signal.fit_seconds > 0);
});

it('probe-features explains mismatched inputs in one line', () => {
  const run = cli(['--train', join(dir, 'train.npy'), '--train-labels', join(dir, 'test.txt'), '--test', join(dir, 'test.npy'), '--test-labels', join(dir, 'test.txt'), '--out', join(dir, 'x.json')]);
  assert.equal(run.status, 1);
  assert.equal(run.stderr.trim(), `layerwise probe-features: --train has ${TRAIN} rows but --train-labels has ${TEST} lines`);
  const layers = cli(['--train', join(dir, 'train.npy'), '--train-labels', join(dir, 'train.txt'), '--test', join(dir, 'test-one-layer.npy'), '--test-labels', join(dir, 'test.txt'), '--out', join(dir, 'x.json')]);
  assert.equal(layers.status, 1);
  assert.match(layers.stderr, /train is 2 layer\(s\) × 16 dims but test is 1 × 16/);
  const usage = cli(['--train', 'a.npy']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--train-labels is required/);
});
