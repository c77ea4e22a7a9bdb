// Executes the notebooks in notebooks/ headlessly under the real tslab kernel (Debian's
// Jupyter in /usr/bin/python3, through scripts/run-notebook.py = nbconvert --execute that keeps
// the failing cell's output) and checks the values they publish: a notebook cell calls
// `publish({ key: value })`, i.e. `tslab.display.raw('application/json', JSON.stringify(…))`, and the
// test reads those `application/json` outputs of the executed notebook, not its printed text, which
// is for people. To add a notebook, add one line to `notebooks` below, with a `check` for the values
// it publishes (and `env: LAB_ENV` if it loads a model).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableCells } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = '/usr/bin/python3';
const setupHint = 'run scripts/setup-jupyter.sh (CI installs Jupyter with .ci/run)';

/** Everything one notebook published: the objects of its `application/json` outputs, merged (each key once). */
type Published = Record<string, unknown>;

interface NotebookCase {
  file: string;
  /** Added to the runner's environment, which the kernel inherits. */
  env?: Record<string, string>;
  /** `html`: every text/html output, in order (tables, head views, figures). */
  check?: (data: Published, html: string[]) => void;
}

// The lab notebooks default to roberta-base from the hub; here they run on the random-weight fixture, on small
// subsets. Notebook 03 saves its results in the session folder, where notebook 06 builds the report from them.
const session = mkdtempSync(join(tmpdir(), 'layerwise-session-'));
after(() => rmSync(session, { recursive: true, force: true }));
const LAB_ENV = { LAYERWISE_MODEL: '../test/fixtures/tiny-roberta', LAYERWISE_QUICK: '1', LAYERWISE_SESSION: session };
// Where the numbers matter (probing, figures, the report), the teaching model pretrained here (issue 11).
const TRAINED_ENV = { ...LAB_ENV, LAYERWISE_MODEL: '../data/models/mini-roberta' };

const notebooks: NotebookCase[] = [
  { file: '00-smoke.ipynb', check: checkSmoke },
  { file: '01-hidden-states.ipynb', env: LAB_ENV, check: checkHiddenStates },
  { file: '02-probing-tasks.ipynb', env: LAB_ENV, check: checkProbingTasks },
  { file: '03-probing-layers.ipynb', env: TRAINED_ENV, check: checkProbingLayers },
  { file: '04-figures.ipynb', env: TRAINED_ENV, check: checkFigures },
  { file: '05-your-own-sentences.ipynb', env: LAB_ENV, check: checkPlayground },
  { file: '06-report.ipynb', env: TRAINED_ENV, check: checkReport },
];

interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  evalue?: string;
}
interface NotebookCell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}

function readCells(path: string): NotebookCell[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { cells: NotebookCell[] }).cells;
}

const joined = (text: unknown): string => (Array.isArray(text) ? text.join('') : typeof text === 'string' ? text : '');

/** Fails in one line unless Jupyter and a startable tslab kernel are installed, and dist/ is built. */
function requireJupyterAndBuild(): void {
  const probe = spawnSync(python, ['-c', [
    'import nbconvert, nbclient',
    'from jupyter_client.kernelspec import KernelSpecManager',
    "print(KernelSpecManager().get_kernel_spec('tslab').argv[0])",
  ].join('\n')], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    assert.fail(`Jupyter or its tslab kernel is missing from ${python}: ${setupHint}`);
  }
  const kernelBinary = probe.stdout.trim();
  if (!existsSync(kernelBinary)) {
    assert.fail(`the tslab kernel points at ${kernelBinary}, which does not exist: ${setupHint}`);
  }
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    assert.fail('dist/index.js is missing: run npm run build (npm test does it)');
  }
}

/** What a failed cell printed (tslab prints compile errors to stderr) and its error: for the failure message only. */
function cellText(cell: NotebookCell): string {
  return (cell.outputs ?? [])
    .map((o) => (o.output_type === 'stream' ? joined(o.text) : o.output_type === 'error' ? (o.evalue ?? '') : ''))
    .join('');
}

/** The values a notebook's code cells published as `application/json` display data, merged into one object. */
function publishedData(file: string, cells: NotebookCell[]): Published {
  const data: Published = {};
  cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      if (output.data === undefined || !('application/json' in output.data)) continue;
      const raw = output.data['application/json'];
      const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${file}: cell ${index} published ${JSON.stringify(value)}, not an object of named values`);
      for (const [key, v] of Object.entries(value)) {
        assert.ok(!(key in data), `${file}: "${key}" is published twice (again in cell ${index})`);
        data[key] = v;
      }
    }
  });
  return data;
}

/** Every text/html output of the notebook's cells, in order. */
function htmlOutputs(cells: NotebookCell[]): string[] {
  return cells.flatMap((cell) => (cell.outputs ?? []).filter((o) => o.data && 'text/html' in o.data).map((o) => joined(o.data!['text/html'])));
}

/** Runs the notebook (kernel cwd = notebooks/, layerwise's cache in a temporary folder): what it published, and its HTML outputs. */
function executeNotebook(file: string, env: Record<string, string> = {}): { data: Published; html: string[] } {
  const outDir = mkdtempSync(join(tmpdir(), 'layerwise-notebook-'));
  try {
    const executed = join(outDir, file);
    const run = spawnSync(python, [join(root, 'scripts', 'run-notebook.py'), join(root, 'notebooks', file), executed], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, LAYERWISE_CACHE: join(outDir, 'cache'), ...env },
    });
    const failedCell = /cell (\d+) failed/.exec(run.stderr ?? '');
    if (failedCell && existsSync(executed)) {
      const text = cellText(readCells(executed)[Number(failedCell[1])]).trim();
      assert.fail(`${file}: cell ${failedCell[1]} failed:\n${text}`);
    }
    const tail = (run.stderr ?? '').trim().split('\n').slice(-10).join('\n');
    assert.equal(run.status, 0, `running ${file} failed (${run.error?.message ?? `exit ${run.status}`}):\n${tail}`);
    const cells = readCells(executed);
    return { data: publishedData(file, cells), html: htmlOutputs(cells) };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The value the notebook published under `key` (typed as the check expects it; the checks verify it). */
function get<T>(data: Published, key: string): T {
  assert.ok(key in data, `the notebook published no "${key}"; it published: ${Object.keys(data).join(', ') || 'nothing'}`);
  return data[key] as T;
}

/** The fixture's sentences as the Python transformers/torch stack tokenized and ran them: hidden_states[k][token][dim]. */
interface FixtureSentence {
  text: string;
  input_ids: number[];
  hidden_states: number[][][];
}
const fixtureFile = (name: string): string => readFileSync(join(root, 'test/fixtures/tiny-roberta', name), 'utf8');
const fixtureSentences = (): FixtureSentence[] => (JSON.parse(fixtureFile('reference.json')) as { sentences: FixtureSentence[] }).sentences;
const fixtureConfig = () => JSON.parse(fixtureFile('config.json')) as { num_hidden_layers: number; hidden_size: number; num_attention_heads: number };

const vectorNorm = (v: number[]): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const meanOf = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Asserts that every number in `actual` is within `tolerance` of `expected`. */
function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((a, i) => assert.ok(typeof a === 'number' && Math.abs(a - expected[i]) <= tolerance, `${what}[${i}]: ${a}, expected ${expected[i]} ± ${tolerance}`));
}

/** Asserts that `value` is a number in [low, high]. */
function inRange(value: number, low: number, high: number, what: string): void {
  assert.ok(typeof value === 'number' && value >= low && value <= high, `${what}: ${value} is outside [${low}, ${high}]`);
}

/** The HTML outputs holding `marker` (a class name, a figure title). */
const outputsWith = (html: string[], marker: string): string[] => html.filter((h) => h.includes(marker));

/** What a head view output draws: the data its script is called with. */
interface HeadViewData { tokens: string[]; layers: number[]; numHeads: number; attention: number[][][]; start: { layer: number; head: number | 'all'; view: string } }
function headViewData(html: string): HeadViewData {
  const call = /\)\("layerwise-head-view-[^"]+", (\{[\s\S]*\})\);\s*<\/script>/.exec(html);
  assert.ok(call, 'a head view output without its data');
  return JSON.parse(call[1]) as HeadViewData;
}

/** A cosine similarity: in [-1, 1], up to float rounding. */
const isCosine = (value: number, what: string) => inRange(value, -1 - 1e-6, 1 + 1e-6, what);

function checkSmoke(data: Published): void {
  assert.deepEqual(get(data, 'npy'), { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] });

  const sentence = fixtureSentences()[1];
  assert.equal(get(data, 'sentence'), sentence.text);
  assert.deepEqual(get(data, 'tokenIds'), sentence.input_ids);

  const hidden = get<{ dims: number[]; maxAbsDiffToTorch: number }>(data, 'lastHiddenState');
  assert.deepEqual(hidden.dims, [1, sentence.input_ids.length, fixtureConfig().hidden_size]);
  inRange(hidden.maxAbsDiffToTorch, 0, 1e-4, 'largest |ONNX Runtime - torch| of the last hidden state');
}

function checkHiddenStates(data: Published, html: string[]): void {
  const { num_hidden_layers: L, hidden_size: dim, num_attention_heads: heads } = fixtureConfig();
  const layerIds = range(0, L);
  assert.deepEqual(get(data, 'model'), LAB_ENV.LAYERWISE_MODEL);
  assert.equal(get(data, 'numHiddenStates'), L + 1, 'embeddings + one hidden state per layer');
  assert.equal(get(data, 'hiddenSize'), dim);
  assert.deepEqual(get(data, 'layerNames'), ['emb', ...range(1, L).map(String)]);

  const text = get<string>(data, 'sentence');
  const sentence = fixtureSentences().find((s) => s.text === text);
  assert.ok(sentence, `the notebook's sentence "${text}" is not one of the fixture's reference sentences`);
  assert.deepEqual(get(data, 'inputIds'), sentence.input_ids);
  const n = sentence.input_ids.length;
  assert.equal(get<string[]>(data, 'tokens').length, n, 'one token per input id');

  // Every hidden state: its layer id, its shape, and each token's norm against torch.
  const states = get<Array<{ layer: number; rows: number; cols: number; tokenNorms: number[] }>>(data, 'hiddenStates');
  assert.deepEqual(states.map((s) => s.layer), layerIds);
  states.forEach((s, k) => {
    assert.deepEqual([s.rows, s.cols], [n, dim], `shape of layer ${k}`);
    assertClose(s.tokenNorms, sentence.hidden_states[k].map(vectorNorm), 0.006, `token norms of layer ${k}`);
  });

  // Attention for layers 1 … L (none for the embeddings): every head's every row is a distribution.
  const attention = get<{ layers: number[]; rowSums: number[][][] }>(data, 'attention');
  assert.deepEqual(attention.layers, range(1, L));
  assert.equal(attention.rowSums.length, L);
  attention.rowSums.forEach((perHead, i) => {
    assert.equal(perHead.length, heads, `heads of layer ${i + 1}`);
    perHead.forEach((sums, h) => assertClose(sums, new Array<number>(n).fill(1), 1e-5, `attention row sums, layer ${i + 1} head ${h}`));
  });

  // Activations by name, TransformerLens style, with their shapes.
  const activations = get<Array<{ name: string; rows: number; cols: number; mean_row_norm: number }>>(data, 'activations');
  const byName = new Map(activations.map((a) => [a.name, a]));
  const expected = ['embeddings', 'embeddings.word', 'embeddings.position', ...range(1, L).map((l) => `layer.${l}.output`), ...range(1, L).map((l) => `layer.${l}.attention.probs`)];
  for (const name of expected) assert.ok(byName.has(name), `activation ${name} is missing; the notebook has ${[...byName.keys()].join(', ')}`);
  for (const a of activations) {
    const shape = a.name.endsWith('.attention.probs') ? [heads * n, n] : [n, dim];
    assert.deepEqual([a.rows, a.cols], shape, `shape of ${a.name}`);
  }
  // `embeddings` is layer 0 and `layer.k.output` layer k: their mean token norms are torch's.
  layerIds.forEach((k) => {
    const a = byName.get(k === 0 ? 'embeddings' : `layer.${k}.output`)!;
    assertClose([a.mean_row_norm], [meanOf(sentence.hidden_states[k].map(vectorNorm))], 0.0015, `mean token norm of ${a.name}`);
  });

  // layerGeometry over the sentence's tokens: the mean token norm is known from torch; cosines are cosines.
  const geometry = get<Array<{ layer: number; layer_name: string; norm: number; mean_cosine_to_previous_layer: number | null; mean_pairwise_cosine: number }>>(data, 'layerGeometry');
  assert.deepEqual(geometry.map((g) => [g.layer, g.layer_name]), layerIds.map((k) => [k, k === 0 ? 'emb' : String(k)]));
  geometry.forEach((g, k) => {
    assertClose([g.norm], [meanOf(sentence.hidden_states[k].map(vectorNorm))], 0.0015, `mean token norm of layer ${g.layer_name}`);
    if (k === 0) assert.equal(g.mean_cosine_to_previous_layer, null, 'the embeddings have no previous layer (NaN, published as null)');
    else isCosine(g.mean_cosine_to_previous_layer!, `layer ${k}: cosine to the previous layer`);
    isCosine(g.mean_pairwise_cosine, `layer ${g.layer_name}: pairwise cosine`);
  });

  // Pooled sentence vectors: mean pooling of torch's token vectors.
  const pooled = get<{ texts: string[]; rows: number; hiddenSize: number; layers: number[]; pooling: string }>(data, 'pooled');
  assert.equal(pooled.texts[0], sentence.text, 'the first pooled text is the sentence above');
  assert.deepEqual([pooled.rows, pooled.texts.length, pooled.hiddenSize, pooled.pooling], [4, 4, dim, 'mean']);
  assert.deepEqual(pooled.layers, layerIds);
  inRange(get<number>(data, 'meanPoolingError'), 0, 1e-5, 'mean pooling vs the mean of the token vectors');
  const meanPooledNorms = sentence.hidden_states.map((tokens) => vectorNorm(tokens[0].map((_, d) => meanOf(tokens.map((t) => t[d])))));
  assertClose(get<number[]>(data, 'firstTextNorms'), meanPooledNorms, 1e-3, 'mean-pooled norms of the sentence');

  const cosines = get<number[][]>(data, 'sentenceCosines');
  assert.equal(cosines.length, L + 1);
  cosines.forEach((row, k) => {
    assert.equal(row.length, 4);
    assertClose([row[0]], [1], 1e-6, `layer ${k}: cosine of sentence 0 with itself`);
    row.forEach((c, i) => isCosine(c, `layer ${k}: cosine of sentences 0 and ${i}`));
  });

  const frame = get<{ shape: number[]; columns: string[] }>(data, 'embeddingsFrame');
  assert.deepEqual(frame.shape, [4, dim + 3]);
  assert.deepEqual(frame.columns, ['id', 'text', 'label', ...range(0, dim - 1).map((d) => `d${d}`)]);

  // What the notebook shows rather than prints: the token table holds torch's ids, in order.
  const tokenTables = outputsWith(html, 'class="layerwise-tokens"');
  assert.equal(tokenTables.length, 1, 'one token table');
  const tokenRows = tableCells(tokenTables[0]);
  assert.deepEqual(tokenRows.map((r) => Number(r[0])), range(0, n - 1), 'token table positions');
  assert.deepEqual(tokenRows.map((r) => Number(r[2])), sentence.input_ids, 'token table ids');
  assert.deepEqual(tokenRows.map((r) => r[1]), get<string[]>(data, 'tokens'), 'token table tokens');
  // The head view carries every layer's every head, each row a distribution (weights kept to 3 decimals).
  const views = outputsWith(html, 'class="layerwise-head-view"');
  assert.equal(views.length, 1, 'one head view');
  const view = headViewData(views[0]);
  assert.deepEqual([view.layers, view.numHeads, view.tokens], [range(1, L), heads, get<string[]>(data, 'tokens')]);
  view.attention.forEach((perHead, l) => perHead.forEach((m, h) => range(0, n - 1).forEach((q) => {
    const sum = m.slice(q * n, (q + 1) * n).reduce((a, b) => a + b, 0);
    inRange(sum, 1 - n * 5e-4, 1 + n * 5e-4, `head view layer ${l + 1} head ${h} row ${q} sum`);
  })));
  for (const title of ['Hidden states of each token, layer by layer', 'Cosine between tokens, layer']) assert.equal(outputsWith(html, title).length, 1, `the figure "${title}"`);
  // The geometry frame as a table: one row per hidden state, named emb, 1 … L.
  const frames = outputsWith(html, 'class="layerwise-frame"');
  assert.equal(frames.length, 2, 'the geometry and embeddings frames as tables');
  assert.deepEqual(tableCells(frames[0]).map((r) => r[2]), ['emb', ...range(1, L).map(String)], 'geometry table layer names');
}

/** The sentences of an English EWT CoNLL-U file, each as its word lines' columns (integer ids: no multiword ranges, no empty nodes). */
function conlluSentences(file: string): string[][][] {
  return readFileSync(join(root, 'data/ud-english-ewt', file), 'utf8')
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((line) => line.split('\t')).filter((columns) => /^\d+$/.test(columns[0])))
    .filter((words) => words.length > 0);
}
const conlluWords = (file: string): string[][] => conlluSentences(file).flat();

interface LabelCount { label: string; train: number; test: number }
interface TaskStats { name: string; classes: number; train: number; test: number; labelCounts: LabelCount[] }

function findTask(tasks: TaskStats[], name: string): TaskStats {
  const task = tasks.find((t) => t.name === name);
  assert.ok(task, `task ${name} was not published; the notebook has ${tasks.map((t) => t.name).join(', ')}`);
  return task;
}

function checkProbingTasks(data: Published, html: string[]): void {
  const names = get<string[]>(data, 'taskNames');
  for (const name of ['upos', 'bshift', 'sst2', 'ru.upos']) assert.ok(names.includes(name), `task ${name} is not listed`);
  const tasks = get<TaskStats[]>(data, 'tasks');

  // upos: one example per word of the treebank's dev (train) and test files, counted here from the raw files.
  const uposColumn = 3;
  const trainWords = conlluWords('en_ewt-ud-dev.conllu');
  const trainCounts = new Map<string, number>();
  for (const w of trainWords) trainCounts.set(w[uposColumn], (trainCounts.get(w[uposColumn]) ?? 0) + 1);
  const kept = new Set([...trainCounts].filter(([, count]) => count >= 10).map(([label]) => label));
  const testWords = conlluWords('en_ewt-ud-test.conllu').filter((w) => kept.has(w[uposColumn]));
  const upos = findTask(tasks, 'upos');
  assert.deepEqual([upos.classes, upos.train, upos.test], [kept.size, trainWords.length, testWords.length], 'upos: classes, train and test examples');
  for (const c of upos.labelCounts) {
    assert.equal(c.train, trainCounts.get(c.label), `upos train examples labelled ${c.label}`);
    assert.equal(c.test, testWords.filter((w) => w[uposColumn] === c.label).length, `upos test examples labelled ${c.label}`);
  }

  // The majority baseline: the most frequent train label's share of the test split.
  const baselines = get<Record<string, number>>(data, 'majorityBaselines');
  for (const t of tasks) inRange(baselines[t.name], 0, 1, `majority baseline of ${t.name}`);
  const majorityLabel = [...trainCounts].filter(([label]) => kept.has(label)).sort((a, b) => b[1] - a[1])[0][0];
  assertClose([baselines.upos], [testWords.filter((w) => w[uposColumn] === majorityLabel).length / testWords.length], 1e-12, 'majority baseline of upos');

  // sst2: the test split is GLUE's dev set, data/sst2/test.tsv; train is a subsample of train.tsv.
  const sst2Labels = readFileSync(join(root, 'data/sst2/test.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t').at(-1));
  const positive = sst2Labels.filter((l) => l === '1').length;
  const sst2 = findTask(tasks, 'sst2');
  assert.deepEqual([sst2.classes, sst2.train, sst2.test], [2, 8000, sst2Labels.length], 'sst2: classes, train and test examples');
  assert.deepEqual(sst2.labelCounts.map((c) => [c.label, c.test]), [['negative', sst2Labels.length - positive], ['positive', positive]]);
  // 56% of train.tsv is positive, so any seeded subsample's majority label is positive.
  assertClose([baselines.sst2], [positive / sst2Labels.length], 1e-12, 'majority baseline of sst2');

  const control = get<{ task: TaskStats; wordTypes: number; typesWithSeveralLabels: number }>(data, 'control');
  assert.deepEqual([control.task.name, control.task.classes, control.task.train], ['upos.control', kept.size, trainWords.length]);
  assert.ok(control.wordTypes > 1000, `only ${control.wordTypes} word types`);
  assert.equal(control.typesWithSeveralLabels, 0, 'a control task gives each word type one label');

  // The tasks' sizes as a table, one row per task with its example counts.
  const sizes = outputsWith(html, 'class="layerwise-frame"');
  assert.ok(sizes.length >= 1, 'the task sizes as a table');
  const sizeRows = tableCells(sizes[0]);
  assert.deepEqual(sizeRows.map((r) => r[1]), tasks.map((t) => t.name), 'one row per task');
  assert.ok(outputsWith(html, 'class="layerwise-records"').length >= 3, 'label counts and baselines as tables');
}

const LAB_LAYERS = 4; // the encoder layers of the fixture and of mini-roberta: hidden states emb, 1 … 4
const LAB_LAYER_IDS = range(0, LAB_LAYERS);
/** Metrics that probeLayers writes for every layer and seed, whatever the task. */
const ALWAYS_METRICS = ['accuracy', 'macro_f1', 'ci_low', 'ci_high', 'dev_accuracy'];

/** Mean over seeds per task and layer; NaN (null in JSON) where a metric does not apply. */
interface LayerMeans {
  task: string;
  layer: number;
  dev_accuracy: number;
  accuracy: number;
  ci_low: number;
  ci_high: number;
  control_accuracy: number | null;
  selectivity: number | null;
  mdl_bits: number;
  mdl_compression: number;
}
interface Summary { task: string; best_layer: number; best_accuracy: number; best_ci_low?: number; best_ci_high?: number; expected_layer: number }

/** Word tasks, and sentence tasks with a target word, have a control task (Hewitt & Liang 2019). */
const hasControl = (task: TaskStats & { level?: string }) => task.level === 'word' || ['tense', 'subjnum', 'objnum'].includes(task.name);

/** What notebook 03 published, for notebook 06 to be checked against (they share the session folder). */
let sessionSummaries: Summary[] | undefined;

function checkProbingLayers(data: Published, html: string[]): void {
  const seeds = get<number>(data, 'seeds');
  assert.deepEqual([get(data, 'model'), get(data, 'numHiddenStates'), get(data, 'quick'), seeds], [TRAINED_ENV.LAYERWISE_MODEL, LAB_LAYERS + 1, true, 1]);
  // upos on the first 40 sentences of each treebank file, counted here from the raw CoNLL-U.
  const words = (file: string) => conlluSentences(file).slice(0, 40).flat().length;
  const tasks = get<Array<TaskStats & { level: string }>>(data, 'tasks');
  const upos = findTask(tasks, 'upos');
  assert.deepEqual([upos.train, upos.test, upos.classes], [words('en_ewt-ud-dev.conllu'), words('en_ewt-ud-test.conllu'), 17]);
  for (const name of ['sentlen', 'bshift', 'sst2']) {
    const t = findTask(tasks, name);
    assert.deepEqual([t.train, t.test], [80, 80], `${name}: train and test examples`);
    assert.ok(Number.isInteger(t.classes) && t.classes >= 2, `${name}: ${t.classes} classes`);
  }

  const features = get<{ train: number[]; test: number[]; layers: number[] }>(data, 'uposFeatures');
  const { hidden_size: dim } = JSON.parse(readFileSync(join(root, 'data/models/mini-roberta/config.json'), 'utf8')) as { hidden_size: number };
  assert.deepEqual(features, { train: [upos.train, dim], test: [upos.test, dim], layers: LAB_LAYER_IDS });
  const single = get<{ layer: number; accuracy: number; macroF1: number }>(data, 'singleProbe');
  assert.equal(single.layer, LAB_LAYERS, 'the single probe reads the last layer');
  inRange(single.accuracy, 0, 1, 'accuracy of one probe');
  inRange(single.macroF1, 0, 1, 'macro-F1 of one probe');

  const means = get<LayerMeans[]>(data, 'layerMeans');
  const summaries = get<Summary[]>(data, 'summaries');
  const baselines = get<Array<{ task: string; baseline: string; accuracy: number }>>(data, 'baselines');
  const checks = get<Array<{ task: string; majority_by_hand: number; majority_baseline: number; train_examples: number; fitted_examples_from_mdl: number }>>(data, 'baselineChecks');
  for (const task of tasks) {
    const rows = means.filter((m) => m.task === task.name);
    assert.deepEqual(rows.map((r) => r.layer), LAB_LAYER_IDS, `${task.name}: one row per layer`);
    for (const r of rows) {
      const where = `${task.name} layer ${r.layer}`;
      inRange(r.dev_accuracy, 0, 1, `${where} dev accuracy`);
      inRange(r.accuracy, 0, 1, `${where} accuracy`);
      // A percentile bootstrap interval around the test accuracy.
      assert.ok(r.ci_low <= r.accuracy + 1e-12 && r.accuracy <= r.ci_high + 1e-12, `${where}: accuracy ${r.accuracy} outside its interval [${r.ci_low}, ${r.ci_high}]`);
      if (hasControl(task)) {
        inRange(r.control_accuracy!, 0, 1, `${where} control accuracy`);
        assertClose([r.selectivity!], [r.accuracy - r.control_accuracy!], 1e-9, `${where}: selectivity = accuracy - control`);
      } else {
        assert.deepEqual([r.control_accuracy, r.selectivity], [null, null], `${where}: ${task.name} has no control task`);
      }
      assert.ok(r.mdl_bits > 0 && r.mdl_compression > 0, `${where}: MDL ${r.mdl_bits} bits, compression ${r.mdl_compression}`);
    }
    // The best layer is chosen on dev accuracy (the lower layer on ties); the test accuracy is reported there.
    const dev = rows.map((r) => r.dev_accuracy);
    const summary = summaries.find((s) => s.task === task.name);
    assert.ok(summary, `no summary for ${task.name}`);
    assert.equal(summary.best_layer, dev.indexOf(Math.max(...dev)), `${task.name}: best layer by dev accuracy ${dev}`);
    assert.equal(summary.best_accuracy, rows[summary.best_layer].accuracy, `${task.name}: test accuracy at the best layer`);
    assert.deepEqual([summary.best_ci_low, summary.best_ci_high], [rows[summary.best_layer].ci_low, rows[summary.best_layer].ci_high], `${task.name}: interval at the best layer`);
    inRange(summary.expected_layer, 0, LAB_LAYERS, `${task.name} expected layer`);

    // Baselines read no layer: majority for every task, lexical for word tasks, length and bag of words for sentence tasks.
    const mine = baselines.filter((b) => b.task === task.name);
    assert.deepEqual(mine.map((b) => b.baseline).sort(), (task.level === 'word' ? ['lexical', 'majority'] : ['bow', 'length', 'majority']), `${task.name}: baselines`);
    for (const b of mine) inRange(b.accuracy, 0, 1, `${task.name} ${b.baseline} baseline`);

    const check = checks.find((c) => c.task === task.name);
    assert.ok(check, `no baseline check for ${task.name}`);
    assertClose([check.majority_baseline], [check.majority_by_hand], 1e-12, `${task.name}: majority baseline`);
    // The probe is fitted on the train split minus its dev part: a whole number of examples, most of them.
    const fitted = check.fitted_examples_from_mdl;
    assertClose([fitted], [Math.round(fitted)], 1e-6, `${task.name}: uniform code / log2(classes) counts examples`);
    inRange(fitted, 0.7 * task.train, task.train - 1, `${task.name}: examples the probe is fitted on (train ${task.train} minus dev)`);
  }

  const resultRows = get<number>(data, 'resultRows');
  assert.ok(resultRows >= tasks.length * LAB_LAYER_IDS.length * seeds * ALWAYS_METRICS.length, `only ${resultRows} result rows`);
  assert.deepEqual(get(data, 'csv'), { header: 'task,layer,probe,seed,metric,value', lines: resultRows + 1 });
  assert.ok(outputsWith(html, 'class="layerwise-frame"').length >= 3 && outputsWith(html, 'class="layerwise-records"').length >= 3, 'frames and tables shown as HTML');
  sessionSummaries = summaries;
}

function checkFigures(data: Published): void {
  assert.equal(get(data, 'numHiddenStates'), LAB_LAYERS + 1);
  const summaries = get<Summary[]>(data, 'summaries');
  assert.deepEqual(summaries.map((s) => s.task), ['tense', 'subjnum', 'objnum']);
  for (const s of summaries) {
    inRange(s.expected_layer, 0, LAB_LAYERS, `${s.task} expected layer`);
    assert.ok(LAB_LAYER_IDS.includes(s.best_layer), `${s.task} best layer ${s.best_layer}`);
  }
  // One line per task with its CI band and its best-layer star, plus baselines.
  assert.ok(get<{ traces: number }>(data, 'curves').traces >= 3 * 3, 'too few traces in the curves figure');
  assert.ok(get<{ traces: number }>(data, 'heatmap').traces >= 1, 'an empty heat map');

  // Every word of the first 20 sentences of the test file.
  const scatter = get<{ words: number; labels: number; traces: number }>(data, 'scatter');
  assert.equal(scatter.words, conlluSentences('en_ewt-ud-test.conllu').slice(0, 20).flat().length);
  assert.ok(scatter.labels > 1 && scatter.traces >= scatter.labels, `a scatter has at least one trace per label (${scatter.traces} traces, ${scatter.labels} labels)`);

  // Linear CKA: symmetric, in [0, 1], and 1 for a layer with itself.
  const cka = get<{ layers: number[]; z: number[][] }>(data, 'cka');
  assert.deepEqual(cka.layers, LAB_LAYER_IDS);
  assert.equal(cka.z.length, LAB_LAYER_IDS.length);
  cka.z.forEach((row, i) => {
    assert.equal(row.length, LAB_LAYER_IDS.length);
    assertClose([row[i]], [1], 1e-6, `CKA of layer ${i} with itself`);
    row.forEach((v, j) => {
      inRange(v, 0, 1 + 1e-6, `CKA of layers ${i} and ${j}`);
      assertClose([v], [cka.z[j][i]], 1e-9, `CKA(${i}, ${j}) = CKA(${j}, ${i})`);
    });
  });

  const bank = get<{ traces: Array<{ name: string; cosines: number[] }> }>(data, 'bank');
  assert.equal(bank.traces.length, 3, 'one trace per pair');
  for (const t of bank.traces) {
    assert.equal(t.cosines.length, LAB_LAYER_IDS.length, `${t.name}: one cosine per layer`);
    t.cosines.forEach((c, l) => isCosine(c, `${t.name} at layer ${l}`));
  }

  const attention = get<{ tokens: string[]; rows: number; cols: number }>(data, 'attention');
  assert.deepEqual([attention.rows, attention.cols], [attention.tokens.length, attention.tokens.length], 'the attention map is tokens x tokens');

  // HTML inlines plotly.js (megabytes); the SVG comes from Chromium.
  const saved = new Map(get<Array<{ file: string; bytes: number }>>(data, 'saved').map((f) => [f.file, f.bytes]));
  assert.deepEqual([...saved.keys()].sort(), ['bank-context.html', 'bank-context.svg', 'probing-curves.html']);
  assert.ok(saved.get('probing-curves.html')! > 1_000_000, 'HTML without plotly.js');
  assert.ok(saved.get('bank-context.svg')! > 1_000, 'empty SVG');
}

function checkPlayground(data: Published, html: string[]): void {
  assert.deepEqual([get(data, 'model'), get(data, 'layerNames'), get(data, 'hiddenSize')], [LAB_ENV.LAYERWISE_MODEL, ['emb', '1', '2', '3', '4'], 32]);

  const context = get<{ pairs: unknown[]; layers: number; traces: Array<{ name: string; cosines: number[] }> }>(data, 'context');
  assert.deepEqual([context.pairs.length, context.layers, context.traces.length], [3, LAB_LAYERS + 1, 3]);
  for (const t of context.traces) {
    assert.equal(t.cosines.length, LAB_LAYERS + 1, `${t.name}: one cosine per layer`);
    t.cosines.forEach((c, l) => isCosine(c, `${t.name} at layer ${l}`));
  }
  // "spring" has the same token position in both season sentences: without context (emb) its vectors are equal.
  assertClose([context.traces[0].cosines[0]], [1], 1e-6, 'spring (season) 1 vs 2 at emb');

  const attention = get<{ tokens: string[]; layers: number[]; heads: number; layer: number; perHead: Array<{ head: number; entropy_bits: number; weight_on_first_token: number }> }>(data, 'attention');
  assert.deepEqual([attention.layers, attention.heads, attention.layer], [range(1, LAB_LAYERS), 4, 1], 'attention for layers 1 … 4, 4 heads; the cell draws layer 1');
  assert.deepEqual(attention.perHead.map((h) => h.head), [0, 1, 2, 3]);
  for (const h of attention.perHead) {
    inRange(h.entropy_bits, 0, Math.log2(attention.tokens.length) + 1e-6, `entropy of head ${h.head}`);
    inRange(h.weight_on_first_token, 0, 1, `weight on ${attention.tokens[0]} of head ${h.head}`);
  }
  assert.equal(get<{ traces: number }>(data, 'attentionMap').traces, 1);
  const views = outputsWith(html, 'class="layerwise-head-view"');
  assert.equal(views.length, 1, 'one head view');
  const view = headViewData(views[0]);
  assert.deepEqual([view.tokens, view.start], [attention.tokens, { layer: 1, head: 0, view: 'lines' }], 'the head view opens on the cell\'s layer and head');

  const corpus = get<{ sentences: number; words: number; query: string }>(data, 'corpus');
  assert.equal(corpus.sentences, 8);
  assert.ok(corpus.words > corpus.sentences, `${corpus.words} words`);
  assert.equal(corpus.query, 'bank#2', 'query word#sentence');
  const neighbours = get<Array<{ layer: number; nearest: Array<{ word: string; cosine: number }> }>>(data, 'neighbours');
  assert.deepEqual(neighbours.map((n) => n.layer), LAB_LAYER_IDS);
  for (const { layer, nearest } of neighbours) {
    assert.equal(nearest.length, 4, `K = 4 neighbours at layer ${layer}`);
    assert.ok(nearest.every((n) => n.word !== corpus.query), 'the query is not its own neighbour');
    const cosines = nearest.map((n) => n.cosine);
    cosines.forEach((c) => isCosine(c, `neighbour cosine at layer ${layer}`));
    assert.deepEqual(cosines, [...cosines].sort((a, b) => b - a), `neighbours at layer ${layer} are sorted`);
  }
  // "bank" is the 7th word of sentences 2 and 3: identical vectors before any context is mixed in.
  assert.equal(neighbours[0].nearest[0].word, 'bank#3');
  assertClose([neighbours[0].nearest[0].cosine], [1], 1e-6, 'bank#2 vs bank#3 at emb');
}

for (const notebook of notebooks) {
  test(`notebook ${notebook.file} is committed without outputs`, () => {
    for (const cell of readCells(join(root, 'notebooks', notebook.file))) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, [], `${notebook.file}: clear outputs before committing`);
      assert.equal(cell.execution_count, null, `${notebook.file}: clear execution counts before committing`);
    }
  });

  test(`notebook ${notebook.file} runs under the tslab kernel`, () => {
    requireJupyterAndBuild();
    const { data, html } = executeNotebook(notebook.file, notebook.env);
    notebook.check?.(data, html);
  });
}

function checkReport(data: Published, html: string[]): void {
  // The summaries recomputed from notebook 03's results.csv are the ones 03 computed (CSV round trip, same rule).
  const summaries = get<Summary[]>(data, 'summaries');
  assert.ok(sessionSummaries, 'notebook 03 ran first and published its summaries');
  assert.deepEqual(summaries, sessionSummaries);
  const report = get<{ lang: string; files: string[] }>(data, 'report');
  assert.equal(report.lang, 'en');
  for (const file of ['report.md', 'report.html', 'report.pdf']) assert.ok(report.files.includes(file), `the report has no ${file}: ${report.files.join(', ')}`);
  const markdown = get<{ headings: string[]; images: string[] }>(data, 'reportMarkdown');
  const sections = ['Theory', 'Description of the system', 'Results', 'Conclusions', 'Sources'];
  assert.deepEqual(markdown.headings.filter((h) => /^## /.test(h)).map((h) => h.replace(/^## (\d+\. )?/, '')), sections, 'the lab\'s sections, in order');
  assert.ok(markdown.images.length >= 2, `only ${markdown.images.length} figures in the report`);
  for (const image of markdown.images) assert.ok(report.files.includes(image), `the report shows ${image}, which was not written`);
  assert.ok(outputsWith(html, 'class="layerwise-frame"').length >= 1, 'the summaries as a table');
}
