import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readdirSync, rmSync } from 'node:fs';
import { Encoder, embedTask, embeddingsFrame, layerGeometry, layerGeometryFrame, writeNpy, loadTask, subsampleTask } from '../src/index.js';
import { FIXTURES, tempDir } from './helpers.js';

const texts = ['The bank of the river.', 'I took a loan from the bank.', 'Hello world', 'A'];

test('layer statistics agree with numpy on the same vectors', async () => {
  const dir = tempDir();
  const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: dir });
  const pooled = await encoder.embed(texts, { pooling: 'mean' });
  const npy = join(dir, 'x.npy');
  writeNpy(npy, [pooled.layers.length, pooled.rows, pooled.hiddenSize], pooled.matrices());
  const script = `
import numpy as np, json, sys
x = np.load(sys.argv[1]).astype(np.float64)
norms = np.linalg.norm(x, axis=2).mean(axis=1)
unit = x / np.linalg.norm(x, axis=2, keepdims=True)
prev = [None] + [float((unit[l] * unit[l-1]).sum(axis=1).mean()) for l in range(1, len(x))]
print(json.dumps({"norm": norms.tolist(), "prev": prev}))`;
  const expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, npy], { encoding: 'utf8' }));
  const stats = layerGeometry(pooled);
  assert.deepEqual(stats.map((s) => s.layer_name), ['emb', '1', '2', '3', '4']);
  stats.forEach((s, l) => {
    assert.ok(Math.abs(s.norm - expected.norm[l]) < 1e-4, `norm at ${l}`);
    if (l > 0) assert.ok(Math.abs(s.mean_cosine_to_previous_layer - expected.prev[l]) < 1e-5, `cosine at ${l}`);
    assert.ok(s.mean_pairwise_cosine > -1 && s.mean_pairwise_cosine < 1);
  });
  const summary = layerGeometryFrame(pooled);
  assert.deepEqual(summary.shape, [5, 5]);
  assert.ok(summary.columns.includes('mean_cosine_to_previous_layer'));
  const frame = embeddingsFrame(pooled, 2, { labels: ['a', 'b', 'c', 'd'] });
  assert.deepEqual(frame.shape, [4, 3 + 32]);
  assert.deepEqual(frame.columns.slice(0, 4), ['id', 'text', 'label', 'd0']);
  assert.equal(frame.iat(1, 1), texts[1]);
  assert.ok(Math.abs(Number(frame.iat(3, 3 + 5)) - pooled.row(3, 2)[5]) < 1e-6);
  await encoder.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('task features line up with the task examples (word and sentence level)', async () => {
  const dir = tempDir();
  const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: dir });
  // Whole treebank splits, and a subsampled task (only the sentences its examples use are run).
  const tasks = [loadTask('ru.upos'), loadTask('ru.sentlen'), subsampleTask(loadTask('sst2', { sst2TrainSize: 500 }), 60, 40, 3)];
  for (const task of tasks) {
    const name = task.name;
    const features = await embedTask(encoder, task, { sentencePooling: 'mean', wordPooling: 'mean', layers: [0, 4] });
    assert.equal(features.train.rows, task.train.examples.length);
    assert.equal(features.test.rows, task.test.examples.length);
    assert.deepEqual(features.train.layers, [0, 4]);
    // Spot-check an example against extracting its sentence alone.
    const ex = task.test.examples[7];
    const sentence = task.test.sentences[ex.sentence];
    const d = encoder.hiddenSize;
    const alone = task.level === 'word'
      ? await encoder.embedWords([sentence.words], { pooling: 'mean', layers: [4], cache: false })
      : await encoder.embed([sentence.text], { pooling: 'mean', layers: [4], cache: false });
    const row = task.level === 'word' ? ex.word! : 0;
    const expected = alone.row(row, 4);
    const actual = features.test.row(7, 4);
    assert.equal(actual.length, d);
    expected.forEach((v, k) => assert.ok(Math.abs(v - actual[k]) < 1e-4, `${name} dim ${k}`));
  }
  await encoder.dispose();
  rmSync(dir, { recursive: true, force: true });
});

