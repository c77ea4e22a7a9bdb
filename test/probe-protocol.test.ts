import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { LayerStack } from '../src/core/activations.js';
import { formatSummaryCsv, readResultsCsv, writeResultsCsv } from '../src/results/csv.js';
import { SUMMARY_COLUMNS } from '../src/results/types.js';
import { resultsFrame, seedSpreadFrame, summaryFrame } from '../src/results/frames.js';
import { createProbe } from '../src/probe/create.js';
import { initBackend } from '../src/probe/backend.js';
import { carveDev, planUnits, probeLayers, type ProbeLayersResult } from '../src/study/protocol.js';
import { Random } from '../src/core/random.js';
import type { ProbingTask, Split, TaskSentence } from '../src/tasks/types.js';

const DIM = 12;
const CLASSES = ['A', 'B', 'C'];

/**
 * A word-level task made by hand: 240 word types, each with a random vector and a label that is
 * a linear function of it; train and test sentences use disjoint word types. Layer 0 is noise,
 * layer 1 a noisy view of the type vector, layer 2 a clean one.
 */
function handMadeTask(): { task: ProbingTask; features: { train: LayerStack; test: LayerStack } } {
  const rng = new Random(42);
  const types = Array.from({ length: 240 }, (_, i) => ({ word: `w${i}`, vector: Array.from({ length: DIM }, () => rng.normal()) }));
  const directions = CLASSES.map(() => Array.from({ length: DIM }, () => rng.normal()));
  const labelOf = (v: number[]) => {
    const scores = directions.map((d) => d.reduce((s, x, i) => s + x * v[i], 0));
    return scores.indexOf(Math.max(...scores));
  };
  const build = (pool: typeof types, sentences: number): { split: Split; layers: Float32Array[] } => {
    const list: TaskSentence[] = [];
    const examples: Split['examples'] = [];
    const values: number[][][] = [[], [], []];
    for (let s = 0; s < sentences; s++) {
      const words = Array.from({ length: 6 }, () => pool[rng.int(pool.length)]);
      list.push({ id: `s${s}`, text: words.map((w) => w.word).join(' '), words: words.map((w) => w.word) });
      words.forEach((w, i) => {
        examples.push({ sentence: s, word: i, label: labelOf(w.vector) });
        values[0].push(w.vector.map(() => rng.normal()));
        values[1].push(w.vector.map((x) => x + 1.5 * rng.normal()));
        values[2].push(w.vector.map((x) => x + 0.05 * rng.normal()));
      });
    }
    return { split: { sentences: list, examples }, layers: values.map((rows) => Float32Array.from(rows.flat())) };
  };
  const train = build(types.slice(0, 180), 150);
  const test = build(types.slice(180), 60);
  const task: ProbingTask = { name: 'handmade', level: 'word', category: 'syntax', language: 'en', description: 'hand-made word task', labels: CLASSES, train: train.split, test: test.split };
  const matrices = (layers: Float32Array[], rows: number) => new LayerStack([0, 1, 2], layers, rows, DIM);
  return { task, features: { train: matrices(train.layers, train.split.examples.length), test: matrices(test.layers, test.split.examples.length) } };
}

describe('probeLayers', () => {
  const { task, features } = handMadeTask();
  let result: ProbeLayersResult;
  const progress: number[] = [];

  before(async () => {
    result = await probeLayers(features, task, { seeds: 2, control: true, mdl: true, onProgress: (p) => progress.push(p.done) });
    await initBackend(); // for the probes fitted here, in this thread
  });

  const mean = (metric: string, layer: number) => {
    const values = result.rows.filter((r) => r.probe === 'linear' && r.metric === metric && r.layer === layer).map((r) => r.value);
    return values.reduce((a, b) => a + b, 0) / values.length;
  };

  it('writes every metric for every layer and seed, and the baselines once', () => {
    const perUnit = ['accuracy', 'ci_low', 'ci_high', 'macro_f1', 'dev_accuracy', 'seen_accuracy', 'unseen_accuracy', 'control_accuracy', 'selectivity', 'mdl_bits', 'mdl_compression', 'l2', 'iterations', 'converged'];
    const gains = ['gain_over_previous', 'gain_over_emb'].flatMap((g) => [g, `${g}_ci_low`, `${g}_ci_high`, `${g}_p`]);
    const probeRows = result.rows.filter((r) => r.probe === 'linear');
    assert.equal(probeRows.length, 3 * 2 * perUnit.length + 2 * 2 * gains.length);
    assert.deepEqual(progress, [0, 1, 2, 3, 4, 5, 6]);
    const counts = task.test.examples.reduce((c, ex) => (c[ex.label]++, c), [0, 0, 0]);
    const trainCounts = task.train.examples.reduce((c, ex) => (c[ex.label]++, c), [0, 0, 0]);
    const majority = counts[trainCounts.indexOf(Math.max(...trainCounts))] / task.test.examples.length;
    const baseline = (probe: string) => result.rows.find((r) => r.probe === probe && r.metric === 'accuracy' && r.layer === -1)!.value;
    assert.ok(Math.abs(baseline('majority') - majority) < 1e-12);
    // Train and test use disjoint word types: every test word is unseen, so the lexical baseline is the majority.
    assert.equal(baseline('lexical'), baseline('majority'));
    assert.ok(Number.isNaN(mean('seen_accuracy', 2)));
    assert.ok(Math.abs(mean('unseen_accuracy', 2) - mean('accuracy', 2)) < 1e-12);
    for (const layer of [0, 1, 2]) assert.ok(mean('ci_low', layer) <= mean('accuracy', layer) && mean('accuracy', layer) <= mean('ci_high', layer));
    // Each unit's final fit, as the same probe fitted alone on that unit's rows reports it.
    const plan = planUnits(features, task, { seeds: 2, control: true, mdl: true });
    for (const unit of plan.units) {
      const input = plan.input(unit);
      const alone = createProbe(input.probeOptions).fit(input.train, input.yTrain, input.numClasses).fitInfo!;
      const value = (metric: string) => probeRows.find((r) => r.metric === metric && r.layer === unit.layer && r.seed === unit.seed)!.value;
      assert.deepEqual([value('l2'), value('iterations'), value('converged')], [alone.l2, alone.iterations, Number(alone.converged)], `layer ${unit.layer} seed ${unit.seed}`);
    }
  });

  it('a layer that carries the signal beats the embeddings by the paired bootstrap; the test set chooses nothing', () => {
    assert.ok(mean('gain_over_emb', 2) > 0.3 && mean('gain_over_emb_ci_low', 2) > 0);
    assert.ok(result.rows.filter((r) => r.metric === 'gain_over_emb_p' && r.layer === 2).every((r) => r.value < 0.01));
    assert.ok(Math.abs(result.summary.best_gain_over_emb - mean('gain_over_emb', 2)) < 1e-12);
    assert.ok(mean('dev_accuracy', 2) > mean('dev_accuracy', 1));
    assert.ok(result.summary.best_ci_low < result.summary.best_accuracy && result.summary.best_accuracy < result.summary.best_ci_high);
  });

  it('finds the signal where it is and not where it is not', () => {
    assert.ok(mean('accuracy', 2) > 0.85, `layer 2 accuracy ${mean('accuracy', 2)}`);
    assert.ok(mean('accuracy', 0) < 0.5, `noise layer accuracy ${mean('accuracy', 0)}`);
    assert.ok(mean('accuracy', 1) > mean('accuracy', 0) && mean('accuracy', 1) < mean('accuracy', 2));
    assert.equal(result.summary.best_layer, 2);
    assert.ok(result.summary.expected_layer > 1 && result.summary.expected_layer <= 2);
  });

  it('control task (random labels per word type) stays near chance on held-out word types', () => {
    for (const layer of [1, 2]) assert.ok(mean('control_accuracy', layer) < 0.5, `layer ${layer} control accuracy ${mean('control_accuracy', layer)}`);
    assert.ok(mean('selectivity', 2) > 0.4);
    assert.ok(Math.abs(result.summary.selectivity - mean('selectivity', 2)) < 1e-12);
  });

  it('MDL: the learnable layer codes below the uniform code, the noise layer does not', () => {
    const uniformBits = carveDev(task.train, 0.1).fit.length * Math.log2(3); // MDL codes the fitting rows (train minus dev)
    assert.ok(mean('mdl_bits', 2) < uniformBits / 2);
    assert.ok(mean('mdl_compression', 2) > 2);
    assert.ok(mean('mdl_compression', 0) < 1.1);
    assert.ok(Math.abs(result.summary.mdl_kbits - mean('mdl_bits', 2) / 1000) < 1e-12);
  });

  it('results as Danfo frames and CSV', () => {
    assert.deepEqual(resultsFrame(result.rows).shape, [result.rows.length, 6]);
    const summary = summaryFrame([result.summary]);
    assert.deepEqual(summary.shape, [1, SUMMARY_COLUMNS.length]);
    // Columns hold what their names say (Danfo's `columns` option alone would rename by position).
    assert.equal(summary.column('probe').values[0], 'linear');
    assert.equal(summary.column('best_layer').values[0], result.summary.best_layer);
    assert.equal(summary.column('task').values[0], 'handmade');
    const stats = seedSpreadFrame(result.rows);
    const groups = new Set(result.rows.map((r) => `${r.probe}/${r.layer}/${r.metric}`));
    assert.deepEqual(stats.shape, [groups.size, 8]);
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-probe-csv-'));
    try {
      writeResultsCsv(join(dir, 'r.csv'), result.rows);
      assert.deepEqual(readResultsCsv(join(dir, 'r.csv')), result.rows);
      assert.match(readFileSync(join(dir, 'r.csv'), 'utf8'), /^task,layer,probe,seed,metric,value\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(formatSummaryCsv([result.summary]), /^task,probe,best_layer,best_accuracy,best_ci_low,best_ci_high,best_gain_over_emb,best_gain_over_emb_p,expected_layer,selectivity,mdl_kbits\nhandmade,linear,2,/);
  });

  it('control and MDL are opt-in', async () => {
    const plain = await probeLayers(features, task, { seeds: 1 });
    const metrics = new Set(plain.rows.map((r) => r.metric));
    for (const m of ['control_accuracy', 'selectivity', 'mdl_bits', 'mdl_compression'] as const) assert.ok(!metrics.has(m), m);
    assert.ok(metrics.has('accuracy') && metrics.has('dev_accuracy') && metrics.has('ci_low'));
    assert.ok(Number.isNaN(plain.summary.selectivity) && Number.isNaN(plain.summary.mdl_kbits));
  });

  it('carves the dev set from whole training sentences', () => {
    const { fit, dev } = carveDev(task.train, 0.1);
    assert.equal(fit.length + dev.length, task.train.examples.length);
    const sentences = (rows: Int32Array) => new Set(Array.from(rows, (i) => task.train.examples[i].sentence));
    const devSentences = sentences(dev);
    assert.equal(devSentences.size, 15); // 10% of 150 sentences
    for (const s of sentences(fit)) assert.ok(!devSentences.has(s));
  });

  it('rejects features that do not match the task', async () => {
    await assert.rejects(probeLayers({ ...features, test: features.train }, task), /test features have \d+ rows but task "handmade" has \d+ test examples/);
  });
});
