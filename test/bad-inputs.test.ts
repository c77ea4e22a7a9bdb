// Bad and unusual inputs, as a new user gives them: each case is a command line (run in-process
// through the CLI's own `main`) or a library call, and either fails with one line that says what is
// wrong (exit ≠ 0) or gives the correct result — compared numerically with a clean run.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../src/cli/main.js';
import { replaceFolder } from '../src/core/atomic.js';
import { readNpy, writeNpy } from '../src/core/npy.js';
import { readTextLines } from '../src/core/validate.js';
import { Encoder } from '../src/encoder/encoder.js';
import { createProbe } from '../src/probe/create.js';
import { runLab } from '../src/report/lab.js';
import { formatResultsCsv } from '../src/results/csv.js';
import { loadTask } from '../src/tasks/registry.js';
import { subsampleTask } from '../src/tasks/subsample.js';
import { FIXTURES, ROOT, tempDir } from './helpers.js';
import { spawnSync } from 'node:child_process';

const MODEL = join(FIXTURES, 'tiny-roberta');
const TEXTS = ['Hello world.', 'The bank of the river.', 'She sells sea shells by the sea shore.'];
const dir = tempDir('layerwise-bad-');
const p = (...parts: string[]) => join(dir, ...parts);
after(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  status: number;
  stdout: string;
  /** What the command printed as messages (errors and warnings), not its progress bars. */
  stderr: string;
}

/** Runs `layerwise ...args` in this process with `env` set, capturing what it prints. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const out: string[] = [];
  const err: string[] = [];
  const { log, error, warn } = console;
  const write = process.stderr.write;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = console.warn = (...a: unknown[]) => void err.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const status = await main(args);
    return { status, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    Object.assign(console, { log, error, warn });
    process.stderr.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A fresh, private extraction cache (so equal results are recomputed, not read back). */
let caches = 0;
const freshCache = () => ({ LAYERWISE_CACHE: p(`cache-${caches++}`) });

/** A copy of the fixture model whose config.json is `edit`ed, without the files in `omit` (the others are linked, not copied). */
function modelVariant(name: string, edit: (config: Record<string, unknown>) => void, omit: string[] = []): string {
  const folder = p(name);
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    if (!omit.includes(f)) symlinkSync(join(MODEL, f), join(folder, f));
  }
  const config = JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
  return folder;
}

type Expect =
  | { status: 1 | 2; error: RegExp }
  | { status: 0; warning?: RegExp; check?: (r: Outcome) => void | Promise<void> };

interface Case {
  name: string;
  args: () => string[];
  env?: () => Record<string, string>;
  /** Runs before the command (e.g. damages a cache the previous step filled). */
  setup?: () => void | Promise<void>;
  expect: Expect;
}

/** Pooled vectors of `embed --pooling mean --out x.npy` for `inputFile`, computed with a fresh cache. */
async function pooled(inputFile: string, model = MODEL, extra: string[] = []): Promise<Float32Array> {
  const out = p(`ref-${caches}.npy`);
  const r = await cli(['embed', '--model', model, '--input', inputFile, '--pooling', 'mean', '--out', out, ...extra], freshCache());
  assert.equal(r.status, 0, r.stderr);
  return readNpy(out).data;
}

function sameNumbers(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  assert.deepEqual(Array.from(actual), Array.from(expected));
}

/** One test per case, run in order (a case may use what an earlier one wrote). */
function runCases(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, async () => {
      await c.setup?.();
      const r = await cli(c.args(), c.env?.() ?? freshCache());
      const e = c.expect;
      if (e.status !== 0) {
        assert.equal(r.status, e.status, `exit ${r.status}, stderr: ${r.stderr}`);
        const [first, ...rest] = r.stderr.split('\n');
        assert.match(first, e.error);
        assert.match(first, /^layerwise [\w-]+: \S/);
        // Exit 1: the error alone. Exit 2 (usage): the error, then the command's usage.
        if (e.status === 1) assert.deepEqual(rest, [], `more than one line: ${r.stderr}`);
        else assert.match(rest[0], /^usage: layerwise /);
      } else {
        assert.equal(r.status, 0, r.stderr);
        if (e.warning) assert.match(r.stderr, e.warning);
        await e.check?.(r);
      }
    });
  }
}

// Input files shared by the cases.
before(() => {
  writeFileSync(p('texts.txt'), TEXTS.join('\n') + '\n');
  writeFileSync(p('bom.txt'), '\uFEFF' + TEXTS.join('\n') + '\n');
  writeFileSync(p('crlf.txt'), TEXTS.join('\r\n') + '\r\n');
  writeFileSync(p('no-final-newline.txt'), TEXTS.join('\n'));
  writeFileSync(p('blank.txt'), `${TEXTS[0]}\n\n${TEXTS[1]}\n${TEXTS[2]}\n`);
  writeFileSync(p('spaces-line.txt'), `${TEXTS[0]}\n${TEXTS[1]}\n   \n${TEXTS[2]}\n`);
  writeFileSync(p('empty.txt'), '');
  writeFileSync(p('only-blank.txt'), '\n\n');
  writeFileSync(p('latin1.txt'), Buffer.concat([Buffer.from(`${TEXTS[0]}\n`), Buffer.from('Caf\xe9 au lait.\n', 'latin1')]));
  mkdirSync(p('a-folder'));
});

describe('embed: text input', () => {
  runCases([
    {
      name: 'a UTF-8 BOM is stripped: the vectors equal those of the same file without it',
      args: () => ['embed', '--model', MODEL, '--input', p('bom.txt'), '--pooling', 'mean', '--out', p('bom.npy')],
      expect: { status: 0, check: async () => sameNumbers(readNpy(p('bom.npy')).data, await pooled(p('texts.txt'))) },
    },
    {
      name: 'CRLF line ends give the same vectors as LF',
      args: () => ['embed', '--model', MODEL, '--input', p('crlf.txt'), '--pooling', 'mean', '--out', p('crlf.npy')],
      expect: { status: 0, check: async () => sameNumbers(readNpy(p('crlf.npy')).data, await pooled(p('texts.txt'))) },
    },
    {
      name: 'a file without a final newline keeps its last line',
      args: () => ['embed', '--model', MODEL, '--input', p('no-final-newline.txt'), '--pooling', 'mean', '--out', p('nfn.npy')],
      expect: { status: 0, check: () => assert.deepEqual(readNpy(p('nfn.npy')).shape, [5, 3, 32]) },
    },
    {
      name: 'a blank line is an error naming its 1-based line',
      args: () => ['embed', '--model', MODEL, '--input', p('blank.txt'), '--pooling', 'mean', '--out', p('x.npy')],
      expect: { status: 1, error: /blank\.txt:2: blank line; .*--skip-blank-lines/ },
    },
    {
      name: 'a line of spaces counts as blank',
      args: () => ['embed', '--model', MODEL, '--input', p('spaces-line.txt'), '--pooling', 'mean', '--out', p('x.npy')],
      expect: { status: 1, error: /spaces-line\.txt:3: blank line/ },
    },
    {
      name: '--skip-blank-lines skips them: the vectors equal those of the file without them',
      args: () => ['embed', '--model', MODEL, '--input', p('blank.txt'), '--skip-blank-lines', '--pooling', 'mean', '--out', p('skipped.npy')],
      expect: { status: 0, check: async () => sameNumbers(readNpy(p('skipped.npy')).data, await pooled(p('texts.txt'))) },
    },
    { name: 'an empty file', args: () => ['embed', '--model', MODEL, '--input', p('empty.txt'), '--pooling', 'cls', '--out', p('x.npy')], expect: { status: 1, error: /empty\.txt has no lines/ } },
    {
      name: 'a file of blank lines, skipped, has no lines',
      args: () => ['embed', '--model', MODEL, '--input', p('only-blank.txt'), '--skip-blank-lines', '--pooling', 'cls', '--out', p('x.npy')],
      expect: { status: 1, error: /only-blank\.txt has no lines/ },
    },
    {
      name: 'invalid UTF-8 (a Latin-1 file) is an error naming the line',
      args: () => ['embed', '--model', MODEL, '--input', p('latin1.txt'), '--pooling', 'cls', '--out', p('x.npy')],
      expect: { status: 1, error: /latin1\.txt:2: not valid UTF-8; save the file as UTF-8/ },
    },
    { name: 'a missing input file', args: () => ['embed', '--model', MODEL, '--input', p('nope.txt'), '--pooling', 'cls', '--out', p('x.npy')], expect: { status: 1, error: /nope\.txt: no such file/ } },
    { name: 'a folder as input file', args: () => ['embed', '--model', MODEL, '--input', p('a-folder'), '--pooling', 'cls', '--out', p('x.npy')], expect: { status: 1, error: /a-folder is a folder; give a file/ } },
    { name: '--out with another extension', args: () => ['embed', '--model', MODEL, '--input', p('texts.txt'), '--pooling', 'cls', '--out', p('x.csv')], expect: { status: 2, error: /--out must end in \.json or \.npy/ } },
  ]);
});

describe('embed: numeric options', () => {
  const run = (option: string, value: string) => () => ['embed', '--model', MODEL, '--input', p('texts.txt'), '--pooling', 'mean', option, value, '--out', p('x.json')];
  runCases([
    ...['0', '1', '2', '-1'].map((v) => ({ name: `--max-length ${v} is refused`, args: run('--max-length', v), expect: { status: 2 as const, error: new RegExp(`--max-length must be an integer ≥ 3, got "${v}"`) } })),
    { name: '--max-length 2.5 is refused', args: run('--max-length', '2.5'), expect: { status: 2, error: /--max-length must be an integer ≥ 3/ } },
    { name: "--max-length above the model's limit is refused, not silently lowered", args: run('--max-length', '600'), expect: { status: 1, error: /maxLength must be an integer from 3 .* to 512 \(the model's limit\), got 600/ } },
    {
      name: '--max-length 3 keeps one real token per text (and the final </s>)',
      args: run('--max-length', '3'),
      expect: {
        status: 0,
        warning: /3 of 3 texts are longer than 3 tokens and were truncated/,
        check: () => {
          const json = JSON.parse(readFileSync(p('x.json'), 'utf8')) as { items: Array<{ input_ids: number[] }> };
          for (const item of json.items) assert.deepEqual([item.input_ids.length, item.input_ids[0], item.input_ids[2]], [3, 0, 2]);
        },
      },
    },
    ...['0', '-4', 'ten'].map((v) => ({ name: `--batch-size ${v} is refused`, args: run('--batch-size', v), expect: { status: 2 as const, error: /--batch-size must be an integer ≥ 1/ } })),
    { name: '--batch-size 1 gives the same vectors as the default batch', args: () => ['embed', '--model', MODEL, '--input', p('texts.txt'), '--pooling', 'mean', '--batch-size', '1', '--out', p('b1.npy')], expect: { status: 0, check: async () => sameNumbers(readNpy(p('b1.npy')).data, await pooled(p('texts.txt'))) } },
    { name: 'an unknown option', args: () => ['embed', '--model', MODEL, '--input', p('texts.txt'), '--pooling', 'mean', '--out', p('x.npy'), '--max-lenght', '8'], expect: { status: 2, error: /Unknown option '--max-lenght'/ } },
    { name: 'an empty value is not taken as the default', args: run('--max-length', ''), expect: { status: 2, error: /--max-length is empty: give a value, or leave the option out/ } },
    { name: 'an option without its value', args: () => ['embed', '--model', MODEL, '--input', p('texts.txt'), '--pooling'], expect: { status: 2, error: /--pooling/ } },
  ]);
});

describe('embed: model folders', () => {
  const embed = (model: () => string, out = 'x.json') => () => ['embed', '--model', model(), '--input', p('texts.txt'), '--pooling', 'mean', '--out', p(out)];
  const reference = () => JSON.parse(readFileSync(p('ref-model.json'), 'utf8')) as { hidden_size: number; items: Array<{ hidden_states: number[][] }> };
  runCases([
    { name: 'reference run for this group', args: embed(() => MODEL, 'ref-model.json'), expect: { status: 0 } },
    { name: 'a typo in a local path is a path error, not a hub error', args: embed(() => join(FIXTURES, 'tiny-robrta')), expect: { status: 1, error: /no model folder .*tiny-robrta \(.*fixtures exists, but not what follows\); check the path/ } },
    { name: 'a relative path that does not exist', args: embed(() => './models/tiny'), expect: { status: 1, error: /no model folder \.\/models\/tiny.*check the path/ } },
    { name: 'a file instead of the model folder', args: embed(() => join(MODEL, 'config.json')), expect: { status: 1, error: /config\.json is a file; give the model folder/ } },
    { name: 'a folder without tokenizer.json', args: embed(() => modelVariant('no-tokenizer', () => {}, ['tokenizer.json'])), expect: { status: 1, error: /tokenizer\.json is missing: a model folder needs config\.json, tokenizer\.json/ } },
    { name: 'a config whose hidden_size disagrees with the graph', args: embed(() => modelVariant('wide', (c) => (c.hidden_size = 64))), expect: { status: 1, error: /config\.json: hidden_size is 64 but the ONNX graph's hidden states are 32 wide; the config does not belong to this model/ } },
    { name: 'a config whose layer count disagrees with the graph', args: embed(() => modelVariant('deep', (c) => (c.num_hidden_layers = 6))), expect: { status: 1, error: /config\.json: num_hidden_layers is 6 but the ONNX graph has 4 encoder layers/ } },
    { name: 'a DistilBERT-style config (dim, n_layers) that disagrees', args: embed(() => modelVariant('distil-wrong', (c) => { delete c.hidden_size; c.dim = 48; })), expect: { status: 1, error: /config\.json: dim is 48 but the ONNX graph's hidden states are 32 wide/ } },
    ...[
      ['DistilBERT-style (dim, n_layers)', 'distil', (c: Record<string, unknown>) => { delete c.hidden_size; delete c.num_hidden_layers; c.dim = 32; c.n_layers = 4; }],
      ['without any width or depth', 'bare', (c: Record<string, unknown>) => { delete c.hidden_size; delete c.num_hidden_layers; }],
    ].map(([what, name, edit]) => ({
      name: `a config ${what as string} takes the width from the graph: the same vectors`,
      args: embed(() => modelVariant(name as string, edit as (c: Record<string, unknown>) => void), `${name as string}.json`),
      expect: {
        status: 0 as const,
        check: () => {
          const json = JSON.parse(readFileSync(p(`${name as string}.json`), 'utf8')) as ReturnType<typeof reference>;
          assert.equal(json.hidden_size, 32);
          assert.deepEqual(json.items.map((i) => i.hidden_states), reference().items.map((i) => i.hidden_states));
        },
      },
    })),
  ]);
});

describe('embed: the extraction cache cannot lie', () => {
  const cache = { LAYERWISE_CACHE: p('shared-cache') };
  const model = () => p('editable');
  const embed = (out: string) => () => ['embed', '--model', model(), '--input', p('texts.txt'), '--pooling', 'mean', '--out', p(out)];
  const json = (name: string) => JSON.parse(readFileSync(p(name), 'utf8')) as { items: Array<{ input_ids: number[]; hidden_states: number[][] }> };
  const entries = (sub: string) => readdirSync(join(cache.LAYERWISE_CACHE, sub)).map((f) => join(cache.LAYERWISE_CACHE, sub, f));
  const shards = () => entries('extractions').flatMap((store) => readdirSync(store).filter((f) => f.startsWith('shard-')).map((f) => join(store, f)));
  runCases([
    { name: 'first run fills the cache', setup: () => cpSync(MODEL, model(), { recursive: true }), args: embed('c1.json'), env: () => cache, expect: { status: 0 } },
    {
      name: 'after tokenizer.json changes, the cached vectors are not reused: output equals a fresh run',
      setup: () => {
        // Swap the ids of two tokens of the first text: its input_ids, hence its vectors, change.
        const path = join(model(), 'tokenizer.json');
        const tok = JSON.parse(readFileSync(path, 'utf8')) as { model: { vocab: Record<string, number> } };
        const v = tok.model.vocab;
        [v.Hello, v['Ġworld']] = [v['Ġworld'], v.Hello];
        writeFileSync(path, JSON.stringify(tok));
      },
      args: embed('c2.json'),
      env: () => cache,
      expect: {
        status: 0,
        check: async () => {
          const fresh = await cli(embed('c2-fresh.json')(), freshCache());
          assert.equal(fresh.status, 0, fresh.stderr);
          assert.deepEqual(json('c2.json').items, json('c2-fresh.json').items);
          assert.notDeepEqual(json('c2.json').items[0], json('c1.json').items[0]);
          assert.deepEqual(json('c2.json').items[1], json('c1.json').items[1]);
        },
      },
    },
    {
      name: 'a damaged cache entry (one flipped value) is recomputed with a warning',
      setup: () => {
        for (const entry of shards()) {
          const bytes = readFileSync(entry);
          bytes[bytes.length - 2] ^= 0x40;
          writeFileSync(entry, bytes);
        }
      },
      args: embed('c3.json'),
      env: () => cache,
      expect: { status: 0, warning: /cache shard .* is damaged \(its checksum does not match its data\); dropping it and extracting its \d+ items again/, check: () => assert.deepEqual(json('c3.json').items, json('c2.json').items) },
    },
    {
      name: 'a truncated cache entry is recomputed with a warning',
      setup: () => shards().forEach((e) => truncateSync(e, 200)),
      args: embed('c4.json'),
      env: () => cache,
      expect: { status: 0, warning: /cache shard .* is damaged \(it holds 200 bytes/, check: () => assert.deepEqual(json('c4.json').items, json('c2.json').items) },
    },
    {
      name: 'a truncated tapped graph is rebuilt with a warning, not blamed on the model',
      setup: () => {
        rmSync(join(cache.LAYERWISE_CACHE, 'extractions'), { recursive: true });
        // Each tapped graph has a folder of its own (its external weights live beside it).
        const graphs = entries('tapped').map((dir) => join(dir, 'model.onnx')).filter((f) => existsSync(f));
        assert.ok(graphs.length > 0, 'the first run left tapped graphs');
        graphs.forEach((f) => truncateSync(f, 4096));
      },
      args: embed('c5.json'),
      env: () => cache,
      expect: { status: 0, warning: /the cached tapped graph .* is incomplete or damaged; rebuilding it/, check: () => assert.deepEqual(json('c5.json').items, json('c2.json').items) },
    },
    {
      name: 'a cache that holds entries but cannot be written to: a warning, and --out is written',
      setup: () => {
        // As root, permissions do not stop writes: a file where the entries folder should be does.
        rmSync(join(cache.LAYERWISE_CACHE, 'extractions'), { recursive: true });
        writeFileSync(join(cache.LAYERWISE_CACHE, 'extractions'), '');
      },
      args: embed('c6.json'),
      env: () => cache,
      expect: { status: 0, warning: /cannot write to the cache .*extractions\/\w+ \((ENOTDIR|EEXIST)\): results are not cached/, check: () => assert.deepEqual(json('c6.json').items, json('c2.json').items) },
    },
    {
      name: 'a cache folder that cannot be created at all: warnings, and --out is written',
      args: () => ['embed', '--model', MODEL, '--input', p('texts.txt'), '--pooling', 'mean', '--out', p('c7.npy')],
      env: () => ({ LAYERWISE_CACHE: join(p('texts.txt'), 'cache') }),
      expect: { status: 0, warning: /cannot write the tapped graph to .*\(ENOTDIR\); using .* for this run/, check: async () => sameNumbers(readNpy(p('c7.npy')).data, await pooled(p('texts.txt'))) },
    },
  ]);
});

describe('probe-features: features and labels', () => {
  const ROWS = 40;
  const DIM = 3;
  const npy = (name: string, shape: number[], fill: (i: number) => number) => {
    writeNpy(p(name), shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => fill(i)));
    return p(name);
  };
  const labels = (name: string, lines: string[]) => {
    writeFileSync(p(name), lines.join('\n') + '\n');
    return p(name);
  };
  // Two separable classes: column 0 is the class plus a small wobble.
  const y = Array.from({ length: ROWS }, (_, r) => (r % 2 ? 'yes' : 'no'));
  const x = (i: number) => (i % DIM === 0 ? (Math.floor(i / DIM) % 2) + 0.01 * (i % 7) : ((i * 37) % 11) / 11);
  before(() => {
    npy('X.npy', [ROWS, DIM], x);
    labels('y.txt', y);
  });
  const run = (overrides: Record<string, string>) => () => {
    const args = { '--train': p('X.npy'), '--train-labels': p('y.txt'), '--test': p('X.npy'), '--test-labels': p('y.txt'), '--out': p('r.json'), ...overrides };
    return ['probe-features', ...Object.entries(args).flat()];
  };
  runCases([
    { name: 'a NaN in the training features is an error naming its place', args: () => run({ '--train': npy('nan.npy', [ROWS, DIM], (i) => (i === 7 ? NaN : x(i))) })(), expect: { status: 1, error: /nan\.npy: row 2, column 1 is NaN; features must be finite numbers/ } },
    { name: 'an Infinity in layer 1 of the test features', args: () => run({ '--train': npy('l2.npy', [2, ROWS, DIM], (i) => x(i % (ROWS * DIM))), '--test': npy('inf.npy', [2, ROWS, DIM], (i) => (i === ROWS * DIM + 4 ? Infinity : x(i % (ROWS * DIM)))) })(), expect: { status: 1, error: /inf\.npy: layer 1, row 1, column 1 is Infinity/ } },
    {
      name: 'a truncated .npy is an error, not zeros',
      setup: () => {
        copyFileSync(p('X.npy'), p('short.npy'));
        truncateSync(p('short.npy'), readFileSync(p('X.npy')).length - 10);
      },
      args: run({ '--train': p('short.npy') }),
      expect: { status: 1, error: /short\.npy: truncated: shape \[40,3\] of <f4 needs 480 data bytes, the file has 470/ },
    },
    { name: 'a .npy longer than its header', setup: () => writeFileSync(p('long.npy'), Buffer.concat([readFileSync(p('X.npy')), Buffer.alloc(8)])), args: run({ '--train': p('long.npy') }), expect: { status: 1, error: /long\.npy: longer than its header says/ } },
    { name: 'a .npy with 0 rows', args: () => run({ '--train': npy('rows0.npy', [0, DIM], x) })(), expect: { status: 1, error: /rows0\.npy: shape \[0,3\] has no rows/ } },
    { name: 'a .npy with 0 layers', args: () => run({ '--train': npy('layers0.npy', [0, ROWS, DIM], x) })(), expect: { status: 1, error: /layers0\.npy: shape \[0,40,3\] has no layers/ } },
    { name: 'a .npy with 0 dimensions', args: () => run({ '--train': npy('dims0.npy', [ROWS, 0], x) })(), expect: { status: 1, error: /dims0\.npy: shape \[40,0\] has no dimensions/ } },
    { name: 'a 1-D .npy', args: () => run({ '--train': npy('flat.npy', [ROWS], x) })(), expect: { status: 1, error: /flat\.npy: expected shape \[rows, dim\] or \[layers, rows, dim\], got \[40\]/ } },
    { name: 'a text file named .npy', args: () => run({ '--train': p('y.txt') })(), expect: { status: 1, error: /y\.txt: not a \.npy file \(bad magic bytes\)/ } },
    {
      name: 'an int64 .npy',
      setup: () => {
        const header = readFileSync(p('X.npy')).subarray(0, 128).toString('latin1').replace("'<f4'", "'<i8'");
        writeFileSync(p('int.npy'), Buffer.concat([Buffer.from(header, 'latin1'), Buffer.alloc(ROWS * DIM * 8)]));
      },
      args: run({ '--train': p('int.npy') }),
      expect: { status: 1, error: /int\.npy: dtype <i8 is not supported; save float32/ },
    },
    { name: 'a missing .npy', args: run({ '--test': p('missing.npy') }), expect: { status: 1, error: /missing\.npy: no such file/ } },
    { name: 'a blank label line names its 1-based line', args: () => run({ '--train-labels': labels('blank-y.txt', [...y.slice(0, 2), '', ...y.slice(3)]) })(), expect: { status: 1, error: /blank-y\.txt:3: blank line/ } },
    { name: 'labels and rows that differ in number', args: () => run({ '--train-labels': labels('short-y.txt', y.slice(1)) })(), expect: { status: 1, error: /--train has 40 rows but --train-labels has 39 lines/ } },
    { name: 'a single training class is an error', args: () => run({ '--train-labels': labels('one.txt', y.map(() => 'yes')) })(), expect: { status: 1, error: /--train-labels has a single class \("yes"\); a probe needs at least 2/ } },
    {
      name: 'a label file with a BOM gives the same classes as without',
      setup: () => writeFileSync(p('bom-y.txt'), '\uFEFF' + y.join('\n') + '\n'),
      args: run({ '--train-labels': p('bom-y.txt'), '--out': p('bom-r.json') }),
      expect: { status: 0, check: () => assert.deepEqual(JSON.parse(readFileSync(p('bom-r.json'), 'utf8')).classes, ['no', 'yes']) },
    },
    {
      name: 'a test label unseen in training is reported, and scored as wrong',
      args: () => run({ '--test-labels': labels('unseen.txt', y.map((l, r) => (r < 4 ? 'maybe' : l))), '--out': p('unseen.json') })(),
      expect: {
        status: 0,
        warning: /warning: .*unseen\.txt: label\(s\) "maybe" never occur in --train-labels; their 4 test row\(s\) are always mispredicted/,
        check: () => {
          const r = JSON.parse(readFileSync(p('unseen.json'), 'utf8')) as { classes: string[]; layers: Array<{ accuracy: number }> };
          assert.deepEqual(r.classes, ['no', 'yes', 'maybe']);
          assert.ok(r.layers[0].accuracy <= 36 / 40, `accuracy ${r.layers[0].accuracy}`);
        },
      },
    },
    { name: '--seeds 0 is refused', args: run({ '--seeds': '0' }), expect: { status: 2, error: /--seeds must be an integer ≥ 1, got "0"/ } },
  ]);
});

describe('plot: results CSV', () => {
  const HEADER = 'task,layer,probe,seed,metric,value';
  const good = formatResultsCsv([0, 1, 2].map((layer) => ({ task: 'upos', layer, probe: 'linear', seed: 0, metric: 'accuracy' as const, value: 0.5 + layer / 10 })));
  const csv = (name: string, text: string) => () => {
    writeFileSync(p(name), text);
    return ['plot', '--results', p(name), '--out', p('fig', name), '--formats', 'html'];
  };
  runCases([
    { name: 'a blank value is an error, not 0', args: csv('blank-value.csv', `${HEADER}\nupos,0,linear,0,accuracy,0.5\nupos,1,linear,0,accuracy,\n`), expect: { status: 1, error: /blank-value\.csv:3: value "" is not a number/ } },
    { name: 'a non-numeric layer is an error, not null', args: csv('layer.csv', `${HEADER}\nupos,emb,linear,0,accuracy,0.5\n`), expect: { status: 1, error: /layer\.csv:2: layer "emb" is not a layer number/ } },
    { name: 'a non-numeric value', args: csv('value.csv', `${HEADER}\nupos,0,linear,0,accuracy,high\n`), expect: { status: 1, error: /value\.csv:2: value "high" is not a number/ } },
    { name: 'an unknown metric', args: csv('metric.csv', `${HEADER}\nupos,0,linear,0,acc,0.5\n`), expect: { status: 1, error: /metric\.csv:2: unknown metric "acc"; metrics are accuracy, macro_f1/ } },
    { name: 'a negative seed', args: csv('seed.csv', `${HEADER}\nupos,0,linear,-1,accuracy,0.5\n`), expect: { status: 1, error: /seed\.csv:2: seed "-1" is not a non-negative integer/ } },
    { name: 'a missing field', args: csv('fields.csv', `${HEADER}\nupos,0,linear,accuracy,0.5\n`), expect: { status: 1, error: /fields\.csv:2: expected 6 comma-separated fields/ } },
    { name: 'another header', args: csv('header.csv', `task,layer,value\nupos,0,0.5\n`), expect: { status: 1, error: /header\.csv:1: expected the header "task,layer,probe,seed,metric,value"/ } },
    { name: 'a header and no rows', args: csv('empty.csv', `${HEADER}\n`), expect: { status: 1, error: /empty\.csv has a header but no results/ } },
    { name: 'a missing results file', args: () => ['plot', '--results', p('none.csv'), '--out', p('fig', 'none')], expect: { status: 1, error: /none\.csv: no such file/ } },
    {
      name: 'a CSV with a BOM and CRLF line ends draws the same figure',
      args: csv('bom.csv', '\uFEFF' + good.replace(/\n/g, '\r\n')),
      expect: { status: 0, check: async () => {
        const plain = await cli(csv('plain.csv', good)());
        assert.equal(plain.status, 0, plain.stderr);
        assert.equal(readFileSync(p('fig', 'bom.csv.html'), 'utf8'), readFileSync(p('fig', 'plain.csv.html'), 'utf8'));
      } },
    },
    ...['0', '-3', 'wide'].map((v) => ({ name: `--width ${v} is refused`, args: () => ['plot', '--results', p('plain.csv'), '--out', p('fig', 'w'), '--width', v], expect: { status: 2 as const, error: /--width must be a positive number/ } })),
  ]);
});

describe('conllu: file input', () => {
  const sentence = '# sent_id = 1\n# text = Dogs bark.\n1\tDogs\tdog\tNOUN\t_\tNumber=Plur\t2\tnsubj\t_\t_\n2\tbark\tbark\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No\n3\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_\n\n';
  const file = (name: string, content: string | Buffer) => () => {
    writeFileSync(p(name), content);
    return ['conllu', p(name), '--json'];
  };
  runCases([
    { name: 'a BOM before the first comment reads as without it', args: file('bom.conllu', '\uFEFF' + sentence), expect: { status: 0, check: (r) => assert.equal(JSON.parse(r.stdout)[0].sent_id, '1') } },
    { name: 'invalid UTF-8 names the line', args: file('latin1.conllu', Buffer.concat([Buffer.from(sentence), Buffer.from('1\tCaf\xe9\t_\tNOUN\t_\t_\t0\troot\t_\t_\n\n', 'latin1')])), expect: { status: 1, error: /latin1\.conllu:7: not valid UTF-8/ } },
    { name: 'a word line with 9 columns names the line', args: file('cols.conllu', sentence.replace('\t_\tSpaceAfter=No', '\tSpaceAfter=No')), expect: { status: 1, error: /cols\.conllu:4: expected 10 tab-separated columns, found 9/ } },
    { name: 'a missing file', args: () => ['conllu', p('none.conllu')], expect: { status: 1, error: /none\.conllu: no such file/ } },
  ]);
});

describe('lab: options and the output folder', () => {
  const lab = (...extra: string[]) => () => ['lab', '--model', MODEL, '--tasks', 'sentlen', '--out', p('lab'), ...extra];
  runCases([
    { name: '--max-train 0 is refused', args: lab('--max-train', '0'), expect: { status: 2, error: /--max-train must be an integer ≥ 1, got "0"/ } },
    { name: '--max-test -1 is refused', args: lab('--max-test', '-1'), expect: { status: 2, error: /--max-test must be an integer ≥ 1/ } },
    { name: '--seeds 0 is refused', args: lab('--seeds', '0'), expect: { status: 2, error: /--seeds must be an integer ≥ 1/ } },
    { name: '--quick with --full', args: lab('--quick', '--full'), expect: { status: 2, error: /--quick and --full contradict each other/ } },
    { name: 'an unknown task', args: () => ['lab', '--model', MODEL, '--tasks', 'sentlenn', '--out', p('lab')], expect: { status: 1, error: /sentlenn/ } },
    {
      name: 'an output folder holding other files is refused before any work',
      setup: () => {
        mkdirSync(p('mine'), { recursive: true });
        writeFileSync(p('mine', 'thesis.tex'), 'precious');
      },
      args: () => ['lab', '--model', MODEL, '--tasks', 'sentlen', '--out', p('mine')],
      expect: { status: 1, error: /mine holds files a lab did not write, and a lab replaces its whole output folder; choose a new or lab-made folder/ },
    },
  ]);
  test('the library refuses the same values (no silent default for 0)', async () => {
    await assert.rejects(runLab({ model: MODEL, tasks: ['sentlen'], outDir: p('lab'), maxTrain: 0 }), /maxTrain must be an integer ≥ 1, got 0/);
    await assert.rejects(runLab({ model: MODEL, tasks: ['sentlen'], outDir: p('lab'), seeds: 0 }), /seeds must be an integer ≥ 1, got 0/);
    await assert.rejects(runLab({ model: MODEL, tasks: ['sentlen'], outDir: p('lab'), batchSize: -2 }), /batchSize must be an integer ≥ 1, got -2/);
    assert.ok(!existsSync(p('lab')));
  });
});

describe('outputs written only when whole', () => {
  test('a build that fails leaves the previous folder as it was, and no staging folder', async () => {
    const out = p('whole');
    await replaceFolder(out, async (staging) => writeFileSync(join(staging, 'report.md'), 'old'));
    await assert.rejects(replaceFolder(out, async (staging) => {
      writeFileSync(join(staging, 'report.md'), 'new');
      throw new Error('killed');
    }), /killed/);
    assert.deepEqual(readdirSync(out), ['report.md']);
    assert.equal(readFileSync(join(out, 'report.md'), 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.whole.')), []);
  });

  test('a process killed while building leaves the old folder; the next run removes its staging folder', async () => {
    const out = p('killed');
    await replaceFolder(out, async (staging) => {
      writeFileSync(join(staging, 'report.md'), 'old');
      writeFileSync(join(staging, 'a.png'), 'old');
    });
    const script = `import { replaceFolder } from ${JSON.stringify(join(ROOT, 'src', 'core', 'atomic.ts'))};
      import { writeFileSync } from 'node:fs';
      await replaceFolder(${JSON.stringify(out)}, async (staging) => { writeFileSync(staging + '/report.md', 'new'); process.kill(process.pid, 'SIGKILL'); });`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['a.png', 'report.md']);
    assert.equal(readFileSync(join(out, 'report.md'), 'utf8'), 'old');
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('.killed.')).length, 1);
    await replaceFolder(out, async (staging) => writeFileSync(join(staging, 'report.md'), 'new'));
    assert.deepEqual(readdirSync(out), ['report.md']);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.killed.')), []);
  });
});

describe('library options', () => {
  test('Encoder: batchSize, maxLength and layers are checked, a small maxLength keeps a real token', async () => {
    const encoder = await Encoder.load(MODEL, { layerwiseCache: p('lib-cache') });
    try {
      await assert.rejects(encoder.embed(TEXTS, { batchSize: 0 }), /batchSize must be an integer ≥ 1, got 0/);
      await assert.rejects(encoder.embed(TEXTS, { maxLength: 2 }), /maxLength must be an integer from 3 \(the model's 2 special tokens \+ 1\) to 512/);
      await assert.rejects(encoder.embedTokens(TEXTS, { maxLength: 0 }), /maxLength must be an integer from 3/);
      await assert.rejects(encoder.embed(TEXTS, { layers: [] }), /layers is empty/);
      await assert.rejects(encoder.embed([]), /no texts given/);
      assert.throws(() => encoder.inputIds('Hello', 1), /maxLength must be an integer from 3/);
      assert.deepEqual(encoder.inputIds('Hello world', 3).length, 3);
    } finally {
      await encoder.dispose();
    }
    await assert.rejects(Encoder.load(MODEL, { threads: 0 }), /threads must be an integer ≥ 1, got 0/);
  });

  test('probes refuse non-finite features and meaningless hyperparameters', () => {
    const X = { data: Float32Array.from([0, 1, 1, 0, NaN, 1, 1, 1]), rows: 4, cols: 2 };
    assert.throws(() => createProbe({ kind: 'linear', l2: 1 }).fit(X, [0, 1, 0, 1]), /feature row 2, column 0 is NaN; probe features must be finite numbers/);
    const ok = { data: Float32Array.from([0, 1, 1, 0, 0, 1, 1, 0]), rows: 4, cols: 2 };
    const probe = createProbe({ kind: 'linear', l2: 1 }).fit(ok, [0, 1, 0, 1]);
    assert.throws(() => probe.predict(X), /feature row 2, column 0 is NaN/);
    for (const [options, message] of [
      [{ maxIter: 0 }, /maxIter must be an integer ≥ 1, got 0/],
      [{ hidden: -1 }, /hidden must be an integer ≥ 1/],
      [{ l2: -0.1 }, /l2 must be ≥ 0, got -0.1/],
      [{ learningRate: 0 }, /learningRate must be > 0/],
      [{ validationFraction: 1 }, /validationFraction must be between 0 and 1/],
      [{ l2Grid: [] }, /l2Grid is empty/],
    ] as const) {
      assert.throws(() => createProbe({ kind: 'mlp', ...options }), message);
    }
  });

  test('subsampleTask refuses a cap of 0 instead of emptying a split', () => {
    const task = loadTask('tense');
    assert.throws(() => subsampleTask(task, 0, 10), /maxTrain must be an integer ≥ 1 \(or Infinity for no cap\), got 0/);
    assert.equal(subsampleTask(task, 10, Infinity).train.examples.length, 10);
  });

  test('readTextLines: BOM, CRLF, blank lines skipped on request', () => {
    writeFileSync(p('lines.txt'), '\uFEFFa\r\n\r\nb\r\n');
    assert.throws(() => readTextLines(p('lines.txt')), /lines\.txt:2: blank line/);
    assert.deepEqual(readTextLines(p('lines.txt'), { blankLines: 'skip' }), ['a', 'b']);
  });
});
