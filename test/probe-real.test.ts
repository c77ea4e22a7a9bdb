import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Encoder, createProbe, embedTask, initBackend, loadTask, subsampleTask, writeNpy, type ProbingTask } from '../src/index.js';
import { holdOut } from '../src/probe/search.js';
import { FIXTURES, tempDir } from './helpers.js';

// scikit-learn's LogisticRegression, per layer, on the very features we probe, with C tuned on the
// same held-out fifth of the training rows over a wide grid (best validation accuracy), then refit.
// Same split, so the comparison measures the probes, not the luck of two different splits.
const SKLEARN = String.raw`
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
d = sys.argv[1]
Xtr, Xte = np.load(d + '/train.npy'), np.load(d + '/test.npy')
ytr, yte = np.loadtxt(d + '/y_train.txt', dtype=int), np.loadtxt(d + '/y_test.txt', dtype=int)
held = np.loadtxt(d + '/held_out.txt', dtype=int)
fit = np.setdiff1d(np.arange(len(ytr)), held)
out = []
for l in range(Xtr.shape[0]):
    s = StandardScaler().fit(Xtr[l][fit])
    def val(C):
        m = LogisticRegression(C=C, max_iter=3000).fit(s.transform(Xtr[l][fit]), ytr[fit])
        return m.score(s.transform(Xtr[l][held]), ytr[held])
    Cs = np.logspace(-3, 3, 13)
    scores = [val(C) for C in Cs]
    C = Cs[int(np.argmax(scores))]  # ties: the smallest C, the strongest regularization
    full = StandardScaler().fit(Xtr[l])
    m = LogisticRegression(C=C, max_iter=3000).fit(full.transform(Xtr[l]), ytr)
    out.append(m.score(full.transform(Xte[l]), yte))
print(json.dumps(out))
`;

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

async function compare(task: ProbingTask): Promise<{ ours: number[]; sklearn: number[] }> {
  const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: join(dir, 'cache') });
  const features = await embedTask(encoder, task, { sentencePooling: 'mean', wordPooling: 'mean' });
  await encoder.dispose();
  // The estimator itself, on the whole train split (the protocol would also hold out a dev part).
  await initBackend();
  const yTrain = Int32Array.from(task.train.examples, (e) => e.label);
  const yTest = Int32Array.from(task.test.examples, (e) => e.label);
  const ours = features.train.layers.map((l) => createProbe({ kind: 'linear', seed: 0 }).fit(features.train.layer(l), yTrain, task.labels.length).score(features.test.layer(l), yTest));
  const shape = (n: number) => [features.train.layers.length, n, features.train.hiddenSize];
  writeNpy(join(dir, 'train.npy'), shape(features.train.rows), features.train.matrices());
  writeNpy(join(dir, 'test.npy'), shape(features.test.rows), features.test.matrices());
  writeFileSync(join(dir, 'y_train.txt'), task.train.examples.map((e) => e.label).join('\n') + '\n');
  writeFileSync(join(dir, 'y_test.txt'), task.test.examples.map((e) => e.label).join('\n') + '\n');
  // The probe's own validation split for seed 0 (ProbeOptions: validationFraction 0.2).
  writeFileSync(join(dir, 'held_out.txt'), holdOut(task.train.examples.length, 0.2, 0).heldOut.join('\n') + '\n');
  const run = spawnSync('/usr/bin/python3', ['-c', SKLEARN, dir], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  assert.equal(run.status, 0, run.stderr);
  return { ours, sklearn: JSON.parse(run.stdout) };
}

for (const [name, make] of [
  ['sst2', () => loadTask('sst2')],
  ['upos', () => subsampleTask(loadTask('upos'), 8000, 5000, 1)],
] as const) {
  test(`linear probe is within 1 point of tuned scikit-learn on every layer of a real extraction (${name})`, async (t) => {
    const { ours, sklearn } = await compare(make());
    t.diagnostic(`ours ${ours.map((x) => x.toFixed(3)).join(' ')} | sklearn ${sklearn.map((x) => x.toFixed(3)).join(' ')}`);
    assert.equal(ours.length, 5);
    ours.forEach((acc, layer) => assert.ok(Math.abs(acc - sklearn[layer]) <= 0.01, `layer ${layer}: ours ${acc} vs sklearn ${sklearn[layer]}`));
  });
}
