// The per-item extraction store: its on-disk layout (read here as plain safetensors, independently of
// the store's code), reuse across task sets, bit-identical features, damaged shards and kills.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Encoder } from '../src/encoder/encoder.js';
import { VectorStore } from '../src/encoder/store.js';
import { embedTask } from '../src/study/features.js';
import { loadTask } from '../src/tasks/registry.js';
import { subsampleTask } from '../src/tasks/subsample.js';
import type { ProbingTask } from '../src/tasks/types.js';
import { FIXTURES, ROOT, tempDir } from './helpers.js';

const MODEL = join(FIXTURES, 'tiny-roberta');
const dir = tempDir('layerwise-store-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file parsed by the format's definition: 8-byte little-endian header length, JSON header, tensor bytes. */
function parseSafetensors(path: string): { metadata: Record<string, string>; tensors: Map<string, { shape: number[]; values: Float32Array }>; data: Buffer } {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [from, to] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    assert.equal(dtype, 'F32');
    assert.equal(to - from, shape[0] * shape[1] * 4, `${name}: its bytes hold its shape`);
    const values = new Float32Array(shape[0] * shape[1]);
    for (let i = 0; i < values.length; i++) values[i] = data.readFloatLE(from + 4 * i);
    tensors.set(name, { shape, values });
  }
  return { metadata: header.__metadata__ as Record<string, string>, tensors, data };
}

const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const bits = (m: Float32Array) => Buffer.from(m.buffer, m.byteOffset, m.byteLength);
const storeDirs = (cache: string) => readdirSync(join(cache, 'extractions')).map((d) => join(cache, 'extractions', d));

/** Collects what `fn` warns. */
async function warnings(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void seen.push(a.join(' '));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return seen;
}

type Counts = Encoder['counts'];

/** How many items `fn` made the encoder extract and read back from its store. */
async function counted(encoder: Encoder, fn: () => Promise<unknown>): Promise<Counts> {
  const before = { ...encoder.counts };
  await fn();
  return { extracted: encoder.counts.extracted - before.extracted, reused: encoder.counts.reused - before.reused };
}

describe('the extraction store on disk', () => {
  const cache = join(dir, 'layout');
  const texts = ['The cache keeps this.', 'And this.', 'And this.'];

  test('is safetensors shards plus an index from sha256(text) to shard, row and rows; values equal a fresh extraction', async () => {
    const encoder = await Encoder.load(MODEL, { layerwiseCache: cache });
    try {
      let stored: Awaited<ReturnType<Encoder['embed']>> | undefined;
      assert.deepEqual(await counted(encoder, async () => void (stored = await encoder.embed(texts, { pooling: 'max' }))), { extracted: 2, reused: 0 }, 'a repeated text is extracted once');
      const [store] = storeDirs(cache);
      assert.deepEqual(readdirSync(store).sort(), ['index.json', 'shard-00001.safetensors']);
      const index = JSON.parse(readFileSync(join(store, 'index.json'), 'utf8'));
      assert.equal(index.settings.pooling, 'max');
      assert.equal(index.settings.level, 'sentences');
      const shard = parseSafetensors(join(store, 'shard-00001.safetensors'));
      assert.equal(shard.metadata.sha256, sha256(shard.data));
      assert.deepEqual([...shard.tensors.keys()], ['hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'hidden_states.3', 'hidden_states.4']);
      const fresh = await encoder.embed(texts, { pooling: 'max', cache: false });
      texts.forEach((text, i) => {
        const [file, row, rows] = index.items[sha256(text)];
        assert.deepEqual([file, rows], ['shard-00001.safetensors', 1]);
        for (const l of fresh.layers) {
          const values = shard.tensors.get(`hidden_states.${l}`)!.values.subarray(row * 32, (row + 1) * 32);
          assert.ok(bits(values).equals(bits(fresh.row(i, l))), `text ${i} layer ${l}: the file holds the fresh vector`);
          assert.ok(bits(stored!.row(i, l)).equals(bits(fresh.row(i, l))));
        }
      });
      // A second call with one new text extracts that one only, into a shard of its own.
      const progress: string[] = [];
      const counts = await counted(encoder, () => encoder.embed([...texts, 'Only this is new.'], { pooling: 'max', onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.label}`) }));
      assert.deepEqual(counts, { extracted: 1, reused: 2 });
      assert.deepEqual(progress, ['0/1 1 new, 2 stored', '1/1 1 new, 2 stored']);
      assert.equal(parseSafetensors(join(store, 'shard-00002.safetensors')).tensors.get('hidden_states.4')!.shape[0], 1);
      // Other settings are another store.
      await encoder.embed(texts, { pooling: 'mean' });
      assert.equal(storeDirs(cache).length, 2);
    } finally {
      await encoder.dispose();
    }
  });

  test('a damaged or truncated shard is dropped with a warning and its items extracted again; garbage goes on open', async () => {
    const [store] = storeDirs(cache).filter((d) => JSON.parse(readFileSync(join(d, 'index.json'), 'utf8')).settings.pooling === 'max');
    const shard = join(store, 'shard-00001.safetensors');
    const original = readFileSync(shard);
    const poisoned = Buffer.from(original);
    poisoned[poisoned.length - 3] ^= 0x40;
    writeFileSync(shard, poisoned);
    // What a run killed between writing a shard and the index leaves: a shard no index names, and a temp file.
    writeFileSync(join(store, 'shard-00007.safetensors'), original);
    writeFileSync(join(store, 'index.json.123.456.tmp'), '{');
    const encoder = await Encoder.load(MODEL, { layerwiseCache: cache });
    try {
      const fresh = await encoder.embed(texts, { pooling: 'max', cache: false });
      let again: Awaited<ReturnType<Encoder['embed']>> | undefined;
      let counts: Counts | undefined;
      const said = await warnings(async () => void (counts = await counted(encoder, async () => void (again = await encoder.embed(texts, { pooling: 'max' })))));
      assert.equal(said.length, 1, said.join('\n'));
      assert.match(said[0], /cache shard .*shard-00001\.safetensors is damaged \(its checksum does not match its data\); dropping it and extracting its 2 items again/);
      assert.deepEqual(counts, { extracted: 2, reused: 2 });
      assert.deepEqual(again!.matrices(), fresh.matrices());
      assert.deepEqual(readdirSync(store).sort(), ['index.json', 'shard-00002.safetensors', 'shard-00003.safetensors']);
      writeFileSync(join(store, 'shard-00003.safetensors'), readFileSync(join(store, 'shard-00003.safetensors')).subarray(0, 100));
      const truncated = await warnings(async () => void (again = await encoder.embed(texts, { pooling: 'max' })));
      assert.match(truncated.join('\n'), /shard-00003\.safetensors is damaged \(it holds 100 bytes/);
      assert.deepEqual(again!.matrices(), fresh.matrices());
    } finally {
      await encoder.dispose();
    }
  });
});

describe('task sets share the store', () => {
  const cap = (name: string) => subsampleTask(loadTask(name), 60, 30);
  const first = ['upos', 'sentlen'];
  const added = ['deprel', 'tense'];
  const options = { sentencePooling: 'mean', wordPooling: 'first' } as const;

  test('a second task set with two more tasks extracts exactly the sentences the first set did not have, and its features equal a fresh extraction bit for bit', async () => {
    const cache = join(dir, 'tasks');
    const run = async (names: string[]) => {
      const encoder = await Encoder.load(MODEL, { layerwiseCache: cache });
      const tasks = names.map(cap);
      const features = [];
      for (const task of tasks) features.push(await embedTask(encoder, task, options));
      return { encoder, tasks, features };
    };
    const one = await run(first);
    await one.encoder.dispose();
    const two = await run([...first, ...added]);
    try {
      // The independent count: distinct sentence contents (text for sentence tasks, words for word tasks) per level.
      const contents = (tasks: ProbingTask[]) => new Set(tasks.flatMap((t) => [t.train, t.test].flatMap((split) => split.examples.map((ex) => {
        const s = split.sentences[ex.sentence];
        return t.level === 'word' ? `word\t${s.words.join('\u0001')}` : `sentence\t${s.text}`;
      }))));
      const before = contents(one.tasks);
      const after = contents(two.tasks);
      const news = [...after].filter((c) => !before.has(c)).length;
      assert.ok(news > 0 && news < after.size, `the added tasks share some sentences with the first set and bring new ones (${news} of ${after.size})`);
      assert.equal(two.encoder.counts.extracted, news);
      assert.equal(one.encoder.counts.extracted, before.size);
      for (const [i, task] of two.tasks.entries()) {
        const fresh = await embedTask(two.encoder, task, { ...options, cache: false });
        for (const split of ['train', 'test'] as const) {
          for (const l of fresh[split].layers) assert.ok(bits(two.features[i][split].layer(l).data).equals(bits(fresh[split].layer(l).data)), `${task.name} ${split} layer ${l}`);
        }
      }
    } finally {
      await two.encoder.dispose();
    }
  });
});

describe('reading chosen words', () => {
  test('embedWordRows returns exactly embedWords(…).select(rows) for each row set, from shards on disk and from memory, in any order and with repeats', async () => {
    const cache = join(dir, 'rows');
    const task = subsampleTask(loadTask('upos'), 40, 10);
    const sentences = [...new Set(task.train.examples.map((ex) => task.train.sentences[ex.sentence]))].map((s) => s.words);
    const total = sentences.reduce((n, words) => n + words.length, 0);
    const rowSets = [Int32Array.from([total - 1, 0, 7, 7, Math.floor(total / 2), 3]), Int32Array.from({ length: total }, (_, r) => r), Int32Array.of(5, 6, 7, 1, 2)];
    const encoder = await Encoder.load(MODEL, { layerwiseCache: cache });
    try {
      const whole = await encoder.embedWords(sentences, { pooling: 'mean', cache: false });
      for (const cacheOption of [true, true, false]) { // the first call extracts and writes shards, the second reads them
        const stacks = await encoder.embedWordRows(sentences, rowSets, { pooling: 'mean', cache: cacheOption });
        assert.equal(stacks.length, rowSets.length);
        stacks.forEach((chosen, s) => {
          const rows = rowSets[s];
          assert.equal(chosen.rows, rows.length);
          for (const l of whole.layers) {
            const expected = whole.layer(l);
            const got = chosen.layer(l);
            rows.forEach((r, i) => assert.ok(bits(got.data.subarray(i * got.cols, (i + 1) * got.cols)).equals(bits(expected.data.subarray(r * expected.cols, (r + 1) * expected.cols))), `set ${s}, layer ${l}, row ${r}`));
          }
        });
      }
      assert.ok(storeDirs(cache).some((d) => readdirSync(d).some((f) => f.endsWith('.safetensors'))), 'the cached calls wrote shards');
      await assert.rejects(encoder.embedWordRows(sentences, [Int32Array.of(total)]), new RegExp(`row ${total} does not exist: the items hold ${total} rows`));
    } finally {
      await encoder.dispose();
    }
  });
});

describe('a killed writer', () => {
  test('leaves only whole shards: reopening keeps every indexed item readable and removes the rest', async () => {
    const folder = join(dir, 'killed');
    const layers = [0, 1];
    // Items of 2 × 400,000 floats (3.2 MB): shards are written every ~64 MB, so a kill can land in one.
    const script = `
      import { VectorStore } from ${JSON.stringify(join(ROOT, 'src/encoder/store.ts'))};
      const store = new VectorStore(${JSON.stringify(folder)}, { test: 'kill' }, [0, 1], 400000);
      for (let i = 0; ; i++) store.add('item' + i, [0, 1].map((l) => new Float32Array(400000).fill(i + l / 2)));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const shards = () => (existsSync(folder) ? readdirSync(folder).filter((f) => f.startsWith('shard-')).length : 0);
    while (shards() < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGKILL');
    await exited;
    const reopened = new VectorStore(folder, { test: 'kill' }, layers, 400000);
    const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8')) as { items: Record<string, [string, number, number]> };
    const keys = Object.keys(index.items);
    assert.ok(keys.length >= 2, `${keys.length} items survived`);
    const named = new Set(Object.values(index.items).map(([shard]) => shard));
    assert.deepEqual(readdirSync(folder).filter((f) => f !== 'index.json').sort(), [...named].sort(), 'nothing but the index and the shards it names');
    const said = await warnings(async () => {
      const [got] = reopened.read(keys, layers)!;
      keys.forEach((key, r) => {
        const i = Number(key.slice(4));
        assert.equal(got.data[0][r * 400000], i);
        assert.equal(got.data[1][r * 400000 + 399999], i + 0.5);
      });
    });
    assert.deepEqual(said, []);
  });
});
