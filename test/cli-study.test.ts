import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readResultsCsv } from '../src/results/csv.js';
import { FIXTURES, cli, tempDir } from './helpers.js';

const dir = tempDir();
const env = { LAYERWISE_CACHE: join(dir, 'cache') };
const model = join(FIXTURES, 'tiny-roberta');
const reference = JSON.parse(readFileSync(join(model, 'reference.json'), 'utf8')) as { sentences: Array<{ text: string; input_ids: number[]; hidden_states: number[][][] }> };
after(() => rmSync(dir, { recursive: true, force: true }));

test('embed --pooling tokens --attentions writes every hidden state and attention map as JSON', () => {
  const input = join(dir, 'in.txt');
  writeFileSync(input, reference.sentences.slice(0, 3).map((s) => s.text).join('\n') + '\n');
  const out = join(dir, 'tokens.json');
  const r = cli(['embed', '--model', model, '--input', input, '--pooling', 'tokens', '--attentions', '--out', out], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /embed .*3\/3/);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(json.num_hidden_states, 5);
  assert.equal(json.hidden_size, 32);
  assert.equal(json.items.length, 3);
  json.items.forEach((item: { input_ids: number[]; hidden_states: number[][][]; attentions: number[][][][] }, i: number) => {
    const ref = reference.sentences[i];
    assert.deepEqual(item.input_ids, ref.input_ids);
    const n = ref.input_ids.length;
    assert.deepEqual([item.hidden_states.length, item.hidden_states[0].length, item.hidden_states[0][0].length], [5, n, 32]);
    item.hidden_states.forEach((layer, l) => layer.forEach((row, t) => row.forEach((v, d) => assert.ok(Math.abs(v - ref.hidden_states[l][t][d]) < 1e-4))));
    assert.deepEqual([item.attentions.length, item.attentions[0].length, item.attentions[0][0].length, item.attentions[0][0][0].length], [4, 4, n, n]);
  });
});

test('embed --out .npy writes float32 [hidden states, texts, dim] that numpy reads', () => {
  const input = join(dir, 'in2.txt');
  writeFileSync(input, reference.sentences.map((s) => s.text).join('\n') + '\n');
  const out = join(dir, 'pooled.npy');
  const r = cli(['embed', '--model', model, '--input', input, '--pooling', 'cls', '--out', out], { env });
  assert.equal(r.status, 0, r.stderr);
  const shape = execFileSync('/usr/bin/python3', ['-c', 'import numpy as np, sys, json; a = np.load(sys.argv[1]); print(json.dumps([a.shape, a.dtype.str, a[4, 2, :3].tolist()]))', out], { encoding: 'utf8' });
  const [dims, dtype, values] = JSON.parse(shape);
  assert.deepEqual(dims, [5, reference.sentences.length, 32]);
  assert.equal(dtype, '<f4');
  values.forEach((v: number, d: number) => assert.ok(Math.abs(v - reference.sentences[2].hidden_states[4][0][d]) < 1e-4));
  const bad = cli(['embed', '--model', model, '--input', input, '--pooling', 'tokens', '--out', join(dir, 'x.npy')], { env });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^layerwise embed: --out \.npy holds pooled vectors only/);
});

test('probe writes long-format results and a summary for every layer, seed and metric', () => {
  const out = join(dir, 'results.csv');
  const preds = join(dir, 'preds.csv');
  const r = cli(['probe', '--model', model, '--task', 'sentlen,tense', '--seeds', '2', '--control', '--mdl', '--out', out, '--predictions', preds], { env });
  assert.equal(r.status, 0, r.stderr);
  const rows = readResultsCsv(out);
  // Accuracy recomputed from the predictions file equals the reported accuracy, for every task, layer and seed.
  const lines = readFileSync(preds, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'task,layer,probe,seed,split,example_id,sentence_id,gold,pred');
  const tally = new Map<string, { right: number; n: number }>();
  for (const line of lines.slice(1)) {
    const [task, layer, , seed, split, exampleId, , gold, pred] = line.split(',');
    assert.match(exampleId, split === 'dev' ? /^train\/\d+$/ : /^test\/\d+$/);
    if (split !== 'test') continue;
    const key = `${task}/${layer}/${seed}`;
    const t = tally.get(key) ?? { right: 0, n: 0 };
    t.n++;
    if (gold === pred) t.right++;
    tally.set(key, t);
  }
  assert.equal(tally.size, 2 * 5 * 2);
  for (const [key, { right, n }] of tally) {
    const [task, layer, seed] = key.split('/');
    const reported = rows.find((x) => x.task === task && x.probe === 'linear' && x.layer === Number(layer) && x.seed === Number(seed) && x.metric === 'accuracy')!.value;
    assert.ok(Math.abs(reported - right / n) < 1e-12, key);
  }
  const probeRows = rows.filter((x) => x.probe === 'linear');
  // Per layer and seed; tense has a target word, so a control task; sentlen has none (no selectivity).
  const perUnit = (task: string) => [...new Set(probeRows.filter((x) => x.task === task && x.layer === 0).map((x) => x.metric))].sort();
  assert.deepEqual(perUnit('tense'), ['accuracy', 'ci_high', 'ci_low', 'control_accuracy', 'converged', 'dev_accuracy', 'iterations', 'l2', 'macro_f1', 'mdl_bits', 'mdl_compression', 'selectivity']);
  assert.deepEqual(perUnit('sentlen'), ['accuracy', 'ci_high', 'ci_low', 'converged', 'dev_accuracy', 'iterations', 'l2', 'macro_f1', 'mdl_bits', 'mdl_compression']);
  assert.ok(probeRows.filter((x) => x.metric === 'gain_over_emb_p').every((x) => x.layer >= 1 && x.value >= 0 && x.value <= 1));
  // Baselines are rows of their own, with no layer.
  assert.deepEqual([...new Set(rows.filter((x) => x.layer === -1).map((x) => `${x.task}/${x.probe}`))].sort(), ['sentlen/bow', 'sentlen/length', 'sentlen/majority', 'tense/bow', 'tense/length', 'tense/majority']);
  for (const row of rows.filter((x) => x.metric === 'accuracy')) {
    const at = (metric: string) => rows.find((x) => x.task === row.task && x.probe === row.probe && x.layer === row.layer && x.seed === row.seed && x.metric === metric)!.value;
    assert.ok(at('ci_low') <= row.value && row.value <= at('ci_high'), `${row.task} ${row.probe} layer ${row.layer}`);
  }
  for (const row of rows.filter((x) => x.metric === 'selectivity')) {
    const get = (metric: string) => rows.find((x) => x.task === row.task && x.layer === row.layer && x.seed === row.seed && x.metric === metric)!.value;
    assert.ok(Math.abs(row.value - (get('accuracy') - get('control_accuracy'))) < 1e-12);
  }
  const summary = readFileSync(join(dir, 'results.summary.csv'), 'utf8').trim().split('\n');
  assert.equal(summary.length, 3);
  assert.match(summary[0], /^task,probe,best_layer,best_accuracy,best_ci_low,best_ci_high,best_gain_over_emb,best_gain_over_emb_p,expected_layer,selectivity,mdl_kbits$/);
});

test('lab runs the whole study and writes the report, figures and results', () => {
  const out = join(dir, 'lab');
  const r = cli(['lab', '--model', model, '--tasks', 'upos,sentlen', '--max-train', '400', '--max-test', '200', '--seeds', '2', '--out', out], { env });
  assert.equal(r.status, 0, r.stderr);
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(report, /^# Layer-wise probing of `.*tiny-roberta`/);
  assert.match(report, /\| `upos` \| syntax \| word \| 17 \| 400 \| 200 \|/);
  assert.match(report, /\| `sentlen` \| surface \| sentence \| 6 \| 400 \| 200 \|/);
  for (const name of ['accuracy-curves', 'heatmap', 'selectivity-curves', 'mdl-curves', 'layer-similarity', 'sentence-scatter', 'context-bank', 'attention-overview']) {
    assert.match(report, new RegExp(`\\]\\(${name}\\.png\\)`));
    const png = readFileSync(join(out, `${name}.png`));
    assert.equal(png.subarray(1, 4).toString(), 'PNG', name);
    assert.ok(existsSync(join(out, `${name}.svg`)), name);
  }
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.equal((html.match(/Plotly\.newPlot/g) ?? []).length, 8);
  const rows = readResultsCsv(join(out, 'results.csv'));
  assert.equal(new Set(rows.map((x) => x.task)).size, 2);
  assert.equal(rows.filter((x) => x.metric === 'accuracy' && x.probe === 'linear').length, 2 * 5 * 2);
  assert.deepEqual(rows.filter((x) => x.metric === 'accuracy' && x.layer === -1).map((x) => `${x.task}/${x.probe}`).sort(), ['sentlen/bow', 'sentlen/length', 'sentlen/majority', 'upos/lexical', 'upos/majority']);
  // The report counts the fits the iteration limit stopped, from the results' own `converged` rows.
  const limited = rows.filter((x) => x.metric === 'converged' && x.value === 0).length;
  assert.match(report, new RegExp(`In this run, \\*\\*${limited} of 20\\*\\* final probe fits`));
  // The host's rate, measured at the start and the end of the run.
  assert.match(report, /\| machine \| .+, \d+ threads; ONNX Runtime fp32 MatMul [\d,]+ GFLOP\/s at the start, [\d,]+ at the end/);
});
