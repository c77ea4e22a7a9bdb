// Executes the notebooks in notebooks/ headlessly under the real tslab kernel (Debian's
// Jupyter in /usr/bin/python3, through scripts/run-notebook.py = nbconvert --execute that keeps
// the failing cell's output) and checks what they print. To add a notebook, add one line to
// `notebooks` below; give it a `check` for the values it prints (and `env: LAB_ENV` if it loads a model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = '/usr/bin/python3';
const setupHint = 'run scripts/setup-jupyter.sh (CI installs Jupyter with .ci/run)';

/** The text a notebook printed, one entry per code cell, in order. */
type CellOutputs = string[];

interface NotebookCase {
  file: string;
  /** Added to the runner's environment, which the kernel inherits. */
  env?: Record<string, string>;
  check?: (cells: CellOutputs) => void;
}

// The lab notebooks default to roberta-base from the hub; here they run on the random-weight fixture, on small subsets.
const LAB_ENV = { LAYERWISE_MODEL: '../test/fixtures/tiny-roberta', LAYERWISE_QUICK: '1' };

const notebooks: NotebookCase[] = [
  { file: '00-smoke.ipynb', check: checkSmoke },
  { file: '01-hidden-states.ipynb', env: LAB_ENV, check: checkHiddenStates },
  { file: '02-probing-tasks.ipynb', env: LAB_ENV, check: checkProbingTasks },
  { file: '03-probing-layers.ipynb', env: LAB_ENV, check: checkProbingLayers },
  { file: '04-figures.ipynb', env: LAB_ENV, check: checkFigures },
  { file: '05-your-own-sentences.ipynb', env: LAB_ENV, check: checkPlayground },
];

interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
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

const joined = (text: string | string[] | undefined): string => (Array.isArray(text) ? text.join('') : (text ?? ''));

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

/** What a cell printed to the given streams (tslab prints compile errors to stderr), and the values it displayed. */
function cellText(cell: NotebookCell, streams: string[]): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type !== 'stream' || streams.includes(o.name ?? ''))
    .map((o) => (o.output_type === 'stream' ? joined(o.text) : joined(o.data?.['text/plain'] ?? o.evalue)))
    .join('');
}

/** Runs the notebook (kernel cwd = notebooks/, layerwise's cache in a temporary folder) and returns what each code cell printed to stdout. */
function executeNotebook(file: string, env: Record<string, string> = {}): CellOutputs {
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
      const text = cellText(readCells(executed)[Number(failedCell[1])], ['stdout', 'stderr']).trim();
      assert.fail(`${file}: cell ${failedCell[1]} failed:\n${text}`);
    }
    const tail = (run.stderr ?? '').trim().split('\n').slice(-10).join('\n');
    assert.equal(run.status, 0, `running ${file} failed (${run.error?.message ?? `exit ${run.status}`}):\n${tail}`);
    return readCells(executed)
      .filter((cell) => cell.cell_type === 'code')
      .map((cell) => cellText(cell, ['stdout']));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The one printed line that starts with `prefix`, without the prefix. */
function printed(cells: CellOutputs, prefix: string): string {
  const lines = cells.join('\n').split('\n').filter((l) => l.startsWith(prefix));
  assert.equal(lines.length, 1, `expected one line starting with "${prefix}", got ${lines.length}`);
  return lines[0].slice(prefix.length);
}

/** The fixture's sentences as the Python transformers/torch stack tokenized and ran them: hidden_states[k][token][dim]. */
interface FixtureSentence {
  text: string;
  input_ids: number[];
  hidden_states: number[][][];
}
const fixtureFile = (name: string): string => readFileSync(join(root, 'test/fixtures/tiny-roberta', name), 'utf8');
const fixtureSentences = (): FixtureSentence[] => (JSON.parse(fixtureFile('reference.json')) as { sentences: FixtureSentence[] }).sentences;

function checkSmoke(cells: CellOutputs): void {
  assert.equal(printed(cells, 'npy round trip: '), 'shape=2x3 values=1,2,3,4,5,6');

  const sentence = fixtureSentences()[1];
  assert.equal(printed(cells, 'sentence: '), sentence.text);
  assert.deepEqual(JSON.parse(printed(cells, 'token ids: ')), sentence.input_ids);

  const hidden = /^dims=(\S+) max\|onnx - torch\|=(\S+)$/.exec(printed(cells, 'last_hidden_state: '));
  assert.ok(hidden, 'unparsable last_hidden_state line');
  assert.equal(hidden[1], `1x${sentence.input_ids.length}x32`);
  const maxAbsDiff = Number(hidden[2]);
  assert.ok(Number.isFinite(maxAbsDiff) && maxAbsDiff < 1e-4, `ONNX Runtime differs from torch by ${hidden[2]}`);
}

const vectorNorm = (v: number[]): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const meanOf = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Asserts that every number in `actual` is within `tolerance` of `expected`. */
function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tolerance, `${what}[${i}]: ${a}, torch says ${expected[i]}`));
}

function checkHiddenStates(cells: CellOutputs): void {
  const config = JSON.parse(fixtureFile('config.json')) as { num_hidden_layers: number; hidden_size: number; num_attention_heads: number };
  const { num_hidden_layers: layers, hidden_size: dim, num_attention_heads: heads } = config;
  assert.equal(printed(cells, 'hidden states: '), `${layers + 1} (embeddings + ${layers} layers), hidden size ${dim}`);
  const text = printed(cells, 'sentence: ');
  const sentence = fixtureSentences().find((s) => s.text === text);
  assert.ok(sentence, `the notebook's sentence "${text}" is not one of the fixture's reference sentences`);
  assert.deepEqual(JSON.parse(printed(cells, 'token ids: ')), sentence.input_ids);
  const n = sentence.input_ids.length;

  // Every hidden state: its shape, and each token's norm against torch.
  for (let k = 0; k <= layers; k++) {
    const line = /^[^)]+\): (\d+) tokens x (\d+) dims; token norms (.+)$/.exec(printed(cells, `hidden state ${k} (`));
    assert.ok(line, `unparsable line for hidden state ${k}`);
    assert.deepEqual([Number(line[1]), Number(line[2])], [n, dim]);
    assertClose(line[3].split(' ').map(Number), sentence.hidden_states[k].map(vectorNorm), 0.006, `token norms of hidden state ${k}`);
  }
  assert.equal(printed(cells, 'attentions: '), `${layers} layers x ${heads} heads x ${n} x ${n}`);
  assert.ok(Number(printed(cells, 'max |attention row sum - 1|: ')) < 1e-5, 'attention rows do not sum to 1');

  // layerStats over the sentence's tokens: the mean token norm is known from torch; cosines are cosines.
  sentence.hidden_states.forEach((tokens, k) => {
    const name = k === 0 ? 'emb' : String(k);
    const stats = /^norm=(\S+) cos_prev=(\S+) pairwise_cos=(\S+)$/.exec(printed(cells, `layer stats ${name}: `));
    assert.ok(stats, `unparsable layer stats for ${name}`);
    assertClose([Number(stats[1])], [meanOf(tokens.map(vectorNorm))], 0.0015, `mean token norm of ${name}`);
    if (k === 0) assert.equal(stats[2], 'NaN', 'the embeddings have no previous layer');
    for (const cosine of (k === 0 ? [stats[3]] : [stats[2], stats[3]]).map(Number)) assert.ok(cosine >= -1 && cosine <= 1, `${name}: cosine ${cosine}`);
  });

  // Pooled sentence vectors: mean pooling of torch's token vectors, whose norms the notebook prints.
  assert.equal(printed(cells, 'pooled: '), `4 texts x ${dim} dims, ${layers + 1} hidden states, pooling mean`);
  assert.ok(Number(printed(cells, 'mean pooling check: max |by hand - embed| = ')) < 1e-5, 'mean pooling differs from the mean of the token vectors');
  const meanPooledNorms = sentence.hidden_states.map((tokens) => vectorNorm(tokens[0].map((_, d) => meanOf(tokens.map((t) => t[d])))));
  assertClose(JSON.parse(printed(cells, 'mean-pooled norms of sentence 0: ')) as number[], meanPooledNorms, 1e-3, 'mean-pooled norms');
  assert.equal(printed(cells, 'embeddings frame: '), `4 rows x ${dim + 3} columns`);
}

/** The sentences of an English EWT CoNLL-U file, each as its word lines' columns (integer ids: no multiword ranges, no empty nodes). */
function conlluSentences(file: string): string[][][] {
  return readFileSync(join(root, 'data/ud-english-ewt', file), 'utf8')
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((line) => line.split('\t')).filter((columns) => /^\d+$/.test(columns[0])))
    .filter((words) => words.length > 0);
}
const conlluWords = (file: string): string[][] => conlluSentences(file).flat();

function checkProbingTasks(cells: CellOutputs): void {
  const names = printed(cells, 'task names: ').split(' ');
  assert.equal(Number(printed(cells, 'tasks: ')), names.length);
  for (const name of ['upos', 'bshift', 'sst2', 'ru.upos']) assert.ok(names.includes(name), `task ${name} is not listed`);

  // upos: one example per word of the treebank's dev (train) and test files, counted here from the raw files.
  const uposColumn = 3;
  const trainWords = conlluWords('en_ewt-ud-dev.conllu');
  const trainCounts = new Map<string, number>();
  for (const w of trainWords) trainCounts.set(w[uposColumn], (trainCounts.get(w[uposColumn]) ?? 0) + 1);
  const kept = new Set([...trainCounts].filter(([, count]) => count >= 10).map(([label]) => label));
  const testWords = conlluWords('en_ewt-ud-test.conllu').filter((w) => kept.has(w[uposColumn]));
  assert.equal(printed(cells, 'task upos: '), `classes=${kept.size} train=${trainWords.length} test=${testWords.length}`);
  assert.equal(printed(cells, 'control task: '), `upos.control, ${kept.size} labels, ${trainWords.length} train examples`);
  const types = /^(\d+), with more than one label: (\d+)$/.exec(printed(cells, 'control word types: '));
  assert.ok(types, 'unparsable control word types line');
  assert.ok(Number(types[1]) > 1000, `only ${types[1]} word types`);
  assert.equal(types[2], '0', 'a control task gives each word type one label');

  // sst2: the test split is GLUE's dev set, data/sst2/test.tsv; train is a subsample of train.tsv.
  const sst2Labels = readFileSync(join(root, 'data/sst2/test.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t').at(-1));
  const positive = sst2Labels.filter((l) => l === '1').length;
  const negative = sst2Labels.length - positive;
  assert.equal(printed(cells, 'task sst2: '), `classes=2 train=8000 test=${sst2Labels.length}`);
  assert.equal(printed(cells, 'sst2 test labels: '), `negative=${negative} positive=${positive}`);
  // 56% of train.tsv is positive, so any seeded subsample's majority label is positive.
  assert.equal(printed(cells, 'majority baseline sst2: '), (positive / sst2Labels.length).toFixed(4));
  for (const task of ['upos', 'bshift', 'sentlen']) {
    const baseline = Number(printed(cells, `majority baseline ${task}: `));
    assert.ok(baseline > 0 && baseline < 1, `majority baseline of ${task}: ${baseline}`);
  }
}

const LAB_LAYERS = 4; // the fixture's encoder layers: hidden states emb, 1 … 4
const LAB_LAYER_NAMES = ['emb', '1', '2', '3', '4'];

/** `key=value` pairs of a printed line, as numbers. */
function fields(line: string): Record<string, number> {
  return Object.fromEntries([...line.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], Number(m[2])]));
}

const inRange = (value: number, low: number, high: number, what: string) => assert.ok(value >= low && value <= high, `${what}: ${value} is outside [${low}, ${high}]`);

function checkProbingLayers(cells: CellOutputs): void {
  assert.equal(printed(cells, 'model: '), '../test/fixtures/tiny-roberta, 5 hidden states, quick: true');
  // upos on the first 40 sentences of each treebank file, counted here from the raw CoNLL-U.
  const words = (file: string) => conlluSentences(file).slice(0, 40).flat().length;
  const upos = { train: words('en_ewt-ud-dev.conllu'), test: words('en_ewt-ud-test.conllu') };
  assert.equal(printed(cells, 'task upos: '), `train=${upos.train} test=${upos.test} classes=17`);
  for (const task of ['sentlen', 'bshift', 'sst2']) assert.match(printed(cells, `task ${task}: `), /^train=80 test=80 classes=\d+$/);
  assert.equal(printed(cells, 'features upos: '), `train ${upos.train} x 32, test ${upos.test} x 32, 5 hidden states`);
  inRange(fields(printed(cells, 'one probe, upos layer 4: ')).accuracy, 0, 1, 'accuracy of one probe');

  for (const task of ['upos', 'sentlen', 'bshift', 'sst2']) {
    const accuracies = LAB_LAYER_NAMES.map((name) => {
      const f = fields(printed(cells, `probe ${task} ${name}: `));
      inRange(f.accuracy, 0, 1, `${task} ${name} accuracy`);
      inRange(f.control, 0, 1, `${task} ${name} control accuracy`);
      inRange(f.selectivity - (f.accuracy - f.control), -0.0015, 0.0015, `${task} ${name}: selectivity - (accuracy - control)`);
      assert.ok(f.mdl_bits > 0 && f.compression > 0, `${task} ${name}: MDL ${f.mdl_bits} bits, compression ${f.compression}`);
      return f.accuracy;
    });
    const summary = fields(printed(cells, `summary ${task}: `));
    assert.ok(Number.isInteger(summary.best_layer) && accuracies[summary.best_layer] === Math.max(...accuracies), `${task}: best layer ${summary.best_layer} of ${accuracies}`);
    inRange(summary.expected_layer, 0, LAB_LAYERS, `${task} expected layer`);
    const check = /^majority by hand=(\S+) from probeLayers=(\S+); uniform bits=(\S+) from MDL=(\S+)$/.exec(printed(cells, `check ${task}: `));
    assert.ok(check, `unparsable check line for ${task}`);
    assert.equal(check[1], check[2], `${task}: majority baseline`);
    inRange(Number(check[3]) - Number(check[4]), -0.1, 0.1, `${task}: uniform code - compression x online code`);
  }
  assert.equal(printed(cells, 'task,layer,probe,seed,metric,value'), '', 'the results CSV header');
}

function checkFigures(cells: CellOutputs): void {
  const summaries = ['tense', 'subjnum', 'objnum'].map((task) => fields(printed(cells, `summary ${task}: `)));
  for (const s of summaries) inRange(s.expected_layer, 0, LAB_LAYERS, 'expected layer');
  // One line per task with its CI band and its best-layer star, plus baselines.
  assert.ok(Number(/^(\d+) traces$/.exec(printed(cells, 'curves figure: '))?.[1]) >= 3 * 3, 'too few traces in the curves figure');
  assert.match(printed(cells, 'heatmap figure: '), /^[1-9]\d* traces?$/);
  // Every word of the first 20 sentences of the test file.
  const words = conlluSentences('en_ewt-ud-test.conllu').slice(0, 20).flat().length;
  const scatter = /^(\d+) words, (\d+) labels, (\d+) traces$/.exec(printed(cells, 'scatter: '));
  assert.ok(scatter, 'unparsable scatter line');
  assert.equal(Number(scatter[1]), words);
  assert.ok(Number(scatter[3]) >= Number(scatter[2]), 'a scatter has at least one trace per label');
  // Linear CKA of a representation with itself is 1.
  assert.equal(printed(cells, 'cka figure: '), '5 x 5, diagonal 1.000 1.000 1.000 1.000 1.000');
  inRange(Number(printed(cells, 'cka emb vs last: ')), 0, 1, 'CKA');
  assert.equal(printed(cells, 'bank figure: '), '3 traces x 5 layers');
  const bankLines = cells.join('\n').split('\n').filter((l) => l.startsWith('bank cosine '));
  assert.equal(bankLines.length, 3);
  for (const line of bankLines) for (const v of line.split(': ')[1].split(' ').map(Number)) inRange(v, -1, 1, line);
  const attention = /^(\d+) x (\d+), tokens (\d+)$/.exec(printed(cells, 'attention figure: '));
  assert.ok(attention && attention[1] === attention[3] && attention[2] === attention[3], 'the attention map is tokens x tokens');
  // HTML inlines plotly.js (megabytes); the SVG comes from Chromium.
  assert.ok(Number(/^(\d+) bytes$/.exec(printed(cells, 'saved probing-curves.html: '))?.[1]) > 1_000_000, 'HTML without plotly.js');
  assert.ok(Number(/^(\d+) bytes$/.exec(printed(cells, 'saved bank-context.svg: '))?.[1]) > 1_000, 'empty SVG');
}

function checkPlayground(cells: CellOutputs): void {
  assert.equal(printed(cells, 'model: '), '../test/fixtures/tiny-roberta, 5 hidden states (emb 1 2 3 4), 32 dims');
  assert.equal(printed(cells, 'context pairs: '), '3, layers: 5');
  LAB_LAYER_NAMES.forEach((name) => {
    const cosines = printed(cells, `context cosine ${name}: `).split(' ').map(Number);
    assert.equal(cosines.length, 3);
    for (const c of cosines) inRange(c, -1, 1, `context cosine ${name}`);
    // "spring" has the same token position in both season sentences: without context (emb) its vectors are equal.
    if (name === 'emb') assert.equal(cosines[0], 1);
  });
  assert.equal(printed(cells, 'context figure: '), '3 traces');

  const tokens = printed(cells, 'tokens: ').split(' ');
  assert.equal(printed(cells, 'attention stack: '), '4 layers x 4 heads');
  for (let head = 0; head < 4; head++) {
    const line = /^entropy (\S+) bits, weight on <s> (\S+)$/.exec(printed(cells, `layer 1 head ${head}: `));
    assert.ok(line, `unparsable line for head ${head}`);
    inRange(Number(line[1]), 0, Math.log2(tokens.length) + 0.005, `entropy of head ${head}`);
    inRange(Number(line[2]), 0, 1, `weight on <s> of head ${head}`);
  }
  assert.equal(printed(cells, 'attention map figure: '), '1 trace');

  assert.match(printed(cells, 'corpus: '), /^8 sentences, \d+ words; query bank#2 \(word#sentence\)$/);
  LAB_LAYER_NAMES.forEach((name) => {
    const neighbours = printed(cells, `neighbours ${name}: `).split(' | ').map((n) => n.split(' '));
    assert.equal(neighbours.length, 4, `K = 4 neighbours at ${name}`);
    assert.ok(neighbours.every(([word]) => word !== 'bank#2'), 'the query is not its own neighbour');
    const cosines = neighbours.map(([, c]) => Number(c));
    assert.deepEqual(cosines, [...cosines].sort((a, b) => b - a), `neighbours at ${name} are sorted`);
    // "bank" is the 7th word of sentences 2 and 3: identical vectors before any context is mixed in.
    if (name === 'emb') assert.deepEqual(neighbours[0], ['bank#3', '1.000']);
  });
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
    const cells = executeNotebook(notebook.file, notebook.env);
    notebook.check?.(cells);
  });
}
