import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Encoder, cosineSimilarity } from '../src/index.js';
import { readGraph } from '../src/encoder/onnx/graph.js';
import { POOLING_WEIGHTS } from '../src/encoder/onnx/pooling.js';
import { halfToFloat } from '../src/encoder/session.js';
import { FIXTURES, tempDir } from './helpers.js';

interface Reference {
  num_hidden_states: number;
  sentences: Array<{ text: string; input_ids: number[]; hidden_states: number[][][] }>;
}

const readReference = (dir: string): Reference => JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
const cacheRoot = tempDir();
after(() => rmSync(cacheRoot, { recursive: true, force: true }));

/** Largest |a - b| over a reference [token][dim] matrix and a row-major Float32Array. */
function maxDiff(reference: number[][], actual: Float32Array): number {
  let worst = 0;
  reference.forEach((row, t) => row.forEach((v, d) => (worst = Math.max(worst, Math.abs(v - actual[t * row.length + d])))));
  return worst;
}

function pooledReference(states: number[][], mode: 'cls' | 'mean' | 'max'): number[] {
  if (mode === 'cls') return states[0];
  return states[0].map((_, d) => {
    const column = states.map((row) => row[d]);
    return mode === 'mean' ? column.reduce((a, b) => a + b, 0) / column.length : Math.max(...column);
  });
}

// Every fixture variant: opset 14 and 17, scopes under /roberta/, a *ForMaskedLM graph (logits only), int8.
const VARIANTS = ['tiny-roberta', 'tiny-roberta-opset17', 'tiny-roberta-prefixed', 'tiny-roberta-mlm', 'tiny-roberta-q8'];

for (const variant of VARIANTS) {
  describe(`${variant}: hidden states against PyTorch`, () => {
    const dir = join(FIXTURES, variant);
    const reference = readReference(dir);
    const texts = reference.sentences.map((s) => s.text);
    let encoder: Encoder;
    before(async () => (encoder = await Encoder.load(dir, { layerwiseCache: cacheRoot })));
    after(() => encoder.dispose());

    test('finds every layer and agrees with PyTorch within 1e-4, batched and one by one', async () => {
      assert.equal(encoder.numHiddenStates, reference.num_hidden_states);
      for (const batchSize of [4, 1]) {
        const activations = await encoder.embedTokens(texts, { batchSize });
        activations.forEach((a, i) => {
          assert.deepEqual(a.inputIds, reference.sentences[i].input_ids, `token ids of "${a.text}"`);
          reference.sentences[i].hidden_states.forEach((states, l) => {
            assert.ok(maxDiff(states, a.hiddenStates.layer(l).data) < 1e-4, `batch ${batchSize}, text ${i}, hidden state ${l}: ${maxDiff(states, a.hiddenStates.layer(l).data)}`);
          });
        });
      }
    });

    for (const pooling of ['cls', 'mean', 'max'] as const) {
      test(`${pooling} pooling matches pooled PyTorch states, batched and one by one`, async () => {
        for (const batchSize of [3, 1]) {
          const pooled = await encoder.embed(texts, { pooling, batchSize, cache: false });
          assert.equal(pooled.rows, texts.length);
          reference.sentences.forEach((s, i) => {
            s.hidden_states.forEach((states, l) => {
              const expected = pooledReference(states, pooling);
              const actual = pooled.row(i, l);
              assert.ok(maxDiff([expected], actual) < 1e-4, `${pooling}, batch ${batchSize}, text ${i}, layer ${l}`);
            });
          });
        }
      });
    }
  });
}

describe('tiny-roberta-q8: the int8 file', () => {
  // The bound is machine-independent because the file is quantized as the hub's are (onnxruntime's
  // quantize_dynamic, per channel, reduce_range: 7-bit weights). Then every int16 pair sum of x86's u8s8
  // kernels (AVX2 `vpmaddubsw`, which saturates) fits, so MatMulInteger is exact integer arithmetic on
  // AVX2, AVX-512 and VNNI alike, and the only error left is quantization's own. Measured minimum
  // per-token cosine over every layer: see test/fixtures/README.md. Full-range weights gave 0.978 on
  // an AVX2-only EPYC and 0.998 on AVX-512: the saturation, not quantization, made the difference.
  test('loads with dtype q8, finds every layer, and every token stays within cosine 0.95 of fp32 at every layer', async () => {
    const dir = join(FIXTURES, 'tiny-roberta-q8');
    const reference = readReference(dir);
    const encoder = await Encoder.load(dir, { dtype: 'q8', layerwiseCache: cacheRoot });
    assert.match(encoder.model.modelPath, /model_quantized\.onnx$/);
    assert.equal(encoder.numHiddenStates, reference.num_hidden_states);
    for (const batchSize of [32, 1]) {
      const activations = await encoder.embedTokens(reference.sentences.map((s) => s.text), { batchSize });
      for (const [i, a] of activations.entries()) {
        reference.sentences[i].hidden_states.forEach((states, l) => {
          states.forEach((row, t) => {
            const cos = cosineSimilarity(row, a.hiddenStates.row(t, l));
            assert.ok(cos >= 0.95, `batch ${batchSize}, text ${i} layer ${l} token ${t}: cosine ${cos}`);
          });
        });
      }
    }
    await encoder.dispose();
  });

  test('taps change no number: the tapped graph\'s last hidden state equals the untapped file\'s output', async () => {
    const dir = join(FIXTURES, 'tiny-roberta-q8');
    const encoder = await Encoder.load(dir, { dtype: 'q8', layerwiseCache: cacheRoot, threads: 1 });
    const texts = readReference(dir).sentences.map((s) => s.text).slice(0, 4);
    const ours = await encoder.embedTokens(texts, { batchSize: 1 });
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model_quantized.onnx'), { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    for (const a of ours) {
      const n = a.inputIds.length;
      const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(a.inputIds.map(BigInt)), [1, n]), attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]) };
      const out = await session.run(feeds);
      assert.deepEqual(a.hiddenStates.layer(encoder.numHiddenStates - 1).data, out.last_hidden_state.data as Float32Array, a.text);
    }
    await session.release();
    await encoder.dispose();
  });
});

test('float16 taps: all 65,536 half-precision patterns read as float32 by their bits (sign, exponent rebiased 15 → 127, fraction shifted 13)', () => {
  const all = halfToFloat(Uint16Array.from({ length: 65536 }, (_, h) => h));
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  for (let h = 0; h < 65536; h++) {
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    const sign = (h >> 15) << 31;
    if (exp === 0) bits[0] = frac === 0 ? sign >>> 0 : 0; // subnormals checked below
    else bits[0] = (sign | ((exp === 31 ? 255 : exp - 15 + 127) << 23) | (frac << 13)) >>> 0;
    if (exp === 0 && frac !== 0) assert.equal(Math.abs(all[h]), frac / 2 ** 24, `pattern ${h}`);
    else if (exp === 31 && frac !== 0) assert.ok(Number.isNaN(all[h]), `pattern ${h}`);
    else assert.ok(Object.is(all[h], asFloat[0]), `pattern ${h}: ${all[h]} against ${asFloat[0]}`);
  }
});

describe('taps', () => {
  for (const variant of ['tiny-roberta', 'tiny-roberta-opset17', 'tiny-roberta-prefixed']) {
    test(`${variant}: last tapped layer is bit-equal to the graph's own last_hidden_state`, async () => {
      const dir = join(FIXTURES, variant);
      const encoder = await Encoder.load(dir, { layerwiseCache: cacheRoot });
      const text = 'The quick brown fox jumps over the lazy dog.';
      const [ours] = await encoder.embedTokens([text]);
      const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
      const ids = encoder.tokenizer.encode(text);
      const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]), attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]) };
      const out = await session.run(feeds);
      assert.deepEqual(ours.hiddenStates.layer(encoder.numHiddenStates - 1).data, out.last_hidden_state.data as Float32Array);
      await session.release();
      await encoder.dispose();
    });
  }

  test('the tapped graph reads attention keys in place (one FusedMatMul with transB per layer, no Transpose moving the innermost axis) and pools every hidden state by the weights fed', async () => {
    const cache = tempDir();
    const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cache });
    const layers = encoder.numHiddenStates - 1;
    const hiddenStates = encoder.model.taps.hiddenStates;
    await encoder.dispose();
    const [key] = readdirSync(join(cache, 'tapped'));
    const graph = readGraph(join(cache, 'tapped', key, 'model.onnx'));
    assert.ok(graph.domains.includes('com.microsoft'));
    assert.equal(graph.nodes.filter((n) => n.opType === 'FusedMatMul').length, layers);
    const pooling = graph.nodes.filter((n) => n.opType === 'MatMul' && n.inputs[0] === POOLING_WEIGHTS);
    assert.deepEqual(pooling.map((n) => n.inputs[1]), hiddenStates);
    assert.ok(pooling.every((n) => graph.outputs.includes(n.outputs[0])));
    assert.ok(graph.inputs.includes(POOLING_WEIGHTS));
    assert.equal(graph.nodes.filter((n) => n.opType === 'MatMul').length - pooling.length, readGraph(join(FIXTURES, 'tiny-roberta', 'onnx', 'model.onnx')).nodes.filter((n) => n.opType === 'MatMul').length - layers);
    const transposes = graph.nodes.filter((n) => n.opType === 'Transpose');
    assert.ok(transposes.length >= 3 * layers && transposes.every((n) => n.perm!.at(-1) === n.perm!.length - 1), JSON.stringify(transposes.map((n) => n.perm)));
    rmSync(cache, { recursive: true, force: true });
  });

  test('names the base model scope of a prefixed export', async () => {
    const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta-prefixed'), { layerwiseCache: cacheRoot });
    assert.equal(encoder.model.taps.prefix, '/roberta');
    assert.ok(encoder.model.taps.hiddenStates.slice(1, -1).every((t) => t.startsWith('/roberta/encoder/layer.')));
    await encoder.dispose();
  });

  test('attention maps are probability rows, unchanged by padding, and zero on padding', async () => {
    const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cacheRoot });
    const texts = ['A', 'The quick brown fox jumps over the lazy dog.'];
    const batched = await encoder.embedTokens(texts, { attentions: true, batchSize: 2 });
    const single = await encoder.embedTokens([texts[0]], { attentions: true, batchSize: 1 });
    const heads = 4;
    assert.deepEqual(batched[0].attentionLayers, [1, 2, 3, 4]);
    for (const a of batched) {
      const n = a.inputIds.length;
      for (const layer of a.attentionLayers.map((l) => a.attention(l))) {
        assert.equal(layer.length, heads);
        for (const map of layer) for (let q = 0; q < n; q++) {
          const sum = map.subarray(q * n, (q + 1) * n).reduce((s, x) => s + x, 0);
          assert.ok(Math.abs(sum - 1) < 1e-5, `row sum ${sum}`);
        }
      }
    }
    for (const l of batched[0].attentionLayers) batched[0].attention(l).forEach((map, h) => {
      single[0].attention(l, h).data.forEach((x, k) => assert.ok(Math.abs(x - map[k]) < 1e-6, `layer ${l} head ${h}`));
    });
    await encoder.dispose();
  });

  test('one session at a time: once attention maps are asked for, the full graph answers hidden states with PyTorch\'s numbers', async () => {
    const dir = join(FIXTURES, 'tiny-roberta');
    const reference = readReference(dir);
    const texts = reference.sentences.map((s) => s.text);
    const encoder = await Encoder.load(dir, { layerwiseCache: cacheRoot });
    const loaded = () => [...(encoder.model as unknown as { sessions: Map<string, unknown> }).sessions.keys()];
    assert.deepEqual(loaded(), ['hidden']);
    // Started together: the hidden session is released only once its run has ended.
    const [before] = await Promise.all([encoder.embedTokens(texts, { batchSize: 1 }), encoder.embedTokens(texts, { attentions: true })]);
    assert.deepEqual(loaded(), ['full']);
    const after = await encoder.embedTokens(texts);
    assert.deepEqual(loaded(), ['full']);
    for (const [i, sentence] of reference.sentences.entries()) {
      sentence.hidden_states.forEach((states, l) => {
        assert.ok(maxDiff(states, before[i].hiddenStates.layer(l).data) < 1e-4, `before, text ${i}, hidden state ${l}`);
        assert.ok(maxDiff(states, after[i].hiddenStates.layer(l).data) < 1e-4, `after, text ${i}, hidden state ${l}`);
      });
    }
    await encoder.dispose();
  });

  test('embedding components: LayerNorm of token + position + token_type gives hidden_states[0]', async () => {
    const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cacheRoot });
    const [a] = await encoder.embedTokens(['Hello world, the embeddings are summed.'], { components: true });
    assert.deepEqual(a.names().filter((n) => n.startsWith('embeddings.')).sort(), ['embeddings.position', 'embeddings.token_type', 'embeddings.word']);
    const n = a.inputIds.length;
    const d = encoder.hiddenSize;
    // LayerNorm(x) = γ ⊙ (x − μ)/σ + β: per dimension, hidden_states[0] is an affine function of the
    // standardized sum across tokens. Fit it by least squares and require a near-exact fit.
    const sum = new Float64Array(n * d);
    for (const c of ['word', 'position', 'token_type'] as const) a.component(c).data.forEach((x, i) => (sum[i] += x));
    const z = new Float64Array(n * d);
    for (let t = 0; t < n; t++) {
      const row = sum.subarray(t * d, (t + 1) * d);
      const mean = row.reduce((s, x) => s + x, 0) / d;
      const sd = Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / d + 1e-5);
      for (let k = 0; k < d; k++) z[t * d + k] = (row[k] - mean) / sd;
    }
    for (let k = 0; k < d; k++) {
      const xs = Array.from({ length: n }, (_, t) => z[t * d + k]);
      const ys = Array.from({ length: n }, (_, t) => a.get('embeddings').data[t * d + k]);
      const mx = xs.reduce((s, x) => s + x, 0) / n;
      const my = ys.reduce((s, y) => s + y, 0) / n;
      const slope = xs.reduce((s, x, t) => s + (x - mx) * (ys[t] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
      const residual = Math.max(...xs.map((x, t) => Math.abs(my + slope * (x - mx) - ys[t])));
      assert.ok(residual < 1e-4, `dimension ${k}: residual ${residual}`);
    }
    await encoder.dispose();
  });
});

describe('word-level extraction', () => {
  const words = JSON.parse(readFileSync(join(FIXTURES, 'words-reference.json'), 'utf8')) as { sentences: Array<{ words: string[]; word_ids: number[][] }> };
  let encoder: Encoder;
  before(async () => (encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cacheRoot })));
  after(() => encoder.dispose());

  test('splits words into the same tokens as an independent Python byte-level BPE (prefix space per word)', async () => {
    for (const s of words.sentences) {
      const sentence = s.words.join(' ');
      // With a prefix space, the whole sentence tokenizes into exactly the words' tokens.
      const [a] = await encoder.embedTokens([` ${sentence}`]);
      assert.deepEqual(a.inputIds, [0, ...s.word_ids.flat(), 2], sentence);
    }
  });

  for (const pooling of ['first', 'mean', 'last'] as const) {
    test(`${pooling} pooling of subwords equals pooling the token states by hand`, async () => {
      const sentences = words.sentences.map((s) => s.words);
      const result = await encoder.embedWords(sentences, { pooling, batchSize: 2, cache: false });
      assert.equal(result.rows, sentences.flat().length);
      for (const [s, sentence] of words.sentences.entries()) {
        const [tokens] = await encoder.embedTokens([` ${sentence.words.join(' ')}`]);
        let start = 1;
        sentence.word_ids.forEach((ids, w) => {
          const span = Array.from({ length: ids.length }, (_, j) => start + j);
          start += ids.length;
          for (let l = 0; l < encoder.numHiddenStates; l++) {
            const d = encoder.hiddenSize;
            const rows = span.map((t) => Array.from(tokens.hiddenStates.row(t, l)));
            const expected = pooling === 'first' ? rows[0] : pooling === 'last' ? rows[rows.length - 1] : rows[0].map((_, k) => rows.reduce((acc, r) => acc + r[k], 0) / rows.length);
            const row = result.sentenceOffsets[s] + w;
            assert.equal(result.row(row, l).length, d);
            assert.ok(maxDiff([expected], result.word(s, w, l)) < 1e-5, `sentence ${s} word ${w} layer ${l}`);
          }
        });
      }
    });
  }
});

describe('word-level extraction of long sentences', () => {
  test('a sentence over the token limit is cut into chunks and every word still gets its vector', async () => {
    const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cacheRoot });
    const words = Array.from({ length: 700 }, (_, i) => ['alpha', 'beta', 'gamma'][i % 3]);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (msg: string) => warnings.push(msg);
    let result;
    try {
      result = await encoder.embedWords([words, ['short', 'one']], { pooling: 'first', cache: false, layers: [2] });
    } finally {
      console.warn = warn;
    }
    assert.match(warnings.join('\n'), /1 of 2 sentences are longer than 512 tokens and were cut into pieces/);
    assert.equal(result.rows, 702);
    const d = encoder.hiddenSize;
    // Word 600 sits in the second chunk: its vector equals that of the same word run in that chunk alone.
    const chunkStart = 510; // 512 tokens minus <s> and </s>, one token per word here
    const alone = await encoder.embedWords([words.slice(chunkStart)], { pooling: 'first', cache: false, layers: [2] });
    const got = result.word(0, 600, 2);
    const want = alone.word(0, 600 - chunkStart, 2);
    assert.equal(got.length, d);
    got.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-5));
    await encoder.dispose();
  });
});

describe('extraction options', () => {
  let encoder: Encoder;
  before(async () => (encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cacheRoot })));
  after(() => encoder.dispose());

  test('results come back in input order whatever the batching', async () => {
    const texts = ['a b c d e f g h', 'x', 'one two three', 'Hello world', 'z z'];
    const together = await encoder.embed(texts, { batchSize: 2, cache: false });
    for (const [i, text] of texts.entries()) {
      const alone = await encoder.embed([text], { batchSize: 1, cache: false });
      alone.layers.forEach((l) => assert.ok(maxDiff([Array.from(alone.row(0, l))], together.row(i, l)) < 1e-5, `text ${i} layer ${l}`));
    }
  });

  test('layers picks hidden states; an unknown layer is an error', async () => {
    const some = await encoder.embed(['Hello world'], { layers: [0, 4], cache: false });
    assert.deepEqual(some.layers, [0, 4]);
    assert.equal(some.matrices().length, 2);
    assert.throws(() => some.layer(2), /layer 2 is not in this stack; it holds layers emb, 4/);
    await assert.rejects(encoder.embed(['x'], { layers: [5] }), /layer 5 does not exist: this model has hidden states 0…4/);
  });

  test('long texts are truncated with one warning that says how many', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (msg: string) => warnings.push(msg);
    try {
      const out = await encoder.embedTokens(['one two three four five six seven eight nine ten', 'short'], { maxLength: 6 });
      assert.equal(out[0].inputIds.length, 6);
      assert.equal(out[0].inputIds.at(-1), 2, 'the closing </s> is kept');
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /1 of 2 texts are longer than 6 tokens and were truncated/);
  });

  test('an empty text is an error naming its index', async () => {
    await assert.rejects(encoder.embed(['fine', ''], { cache: false }), /^Error: text 1 is empty/);
  });

  test('progress is reported up to the total', async () => {
    const seen: number[] = [];
    await encoder.embed(['a', 'b', 'c'], { batchSize: 2, cache: false, onProgress: (p) => seen.push(p.done) });
    // Once at the start, then once per batch (of 2 and of 1, whichever runs first).
    assert.equal(seen.length, 3);
    assert.deepEqual([seen[0], seen[2]], [0, 3]);
    assert.ok(seen[1] === 1 || seen[1] === 2, `${seen}`);
  });
});

describe('errors are one clear line', () => {
  test('a folder missing a file names it', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'tiny-roberta'), dir, { recursive: true, dereference: true });
    rmSync(join(dir, 'tokenizer.json'));
    await assert.rejects(Encoder.load(dir, { layerwiseCache: cacheRoot }), (err: Error) => {
      assert.match(err.message, /tokenizer\.json is missing: a model folder needs config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    await assert.rejects(Encoder.load(join(FIXTURES, 'tiny-roberta'), { dtype: 'q8', layerwiseCache: cacheRoot }), /model_quantized\.onnx is missing.*use dtype fp32/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a truncated .onnx file is reported as truncated or corrupt', async () => {
    const dir = tempDir();
    cpSync(join(FIXTURES, 'tiny-roberta'), dir, { recursive: true, dereference: true });
    truncateSync(join(dir, 'onnx', 'model.onnx'), 1_000_000);
    await assert.rejects(Encoder.load(dir, { layerwiseCache: cacheRoot }), /model\.onnx is not a readable ONNX model \(.*\): the file is truncated or corrupt; download or export it again$/);
    writeFileSync(join(dir, 'onnx', 'model.onnx'), 'this is not protobuf at all, just text');
    await assert.rejects(Encoder.load(dir, { layerwiseCache: cacheRoot }), /truncated or corrupt/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a graph without encoder layers says what it found instead', async () => {
    await assert.rejects(Encoder.load(join(FIXTURES, 'no-layers'), { layerwiseCache: cacheRoot }), (err: Error) => {
      assert.match(err.message, /no encoder layers found in .*no-layers\/onnx\/model\.onnx \(no attention Softmax between input_ids and pooled; .*\): found 2 nodes in scopes \/embeddings\/word_embeddings \(1 nodes\), \/pooler\/ReduceMean \(1 nodes\); outputs pooled/);
      return true;
    });
  });

  test('an unknown hub id with no network and no cache says how to get the model', async () => {
    const cacheDir = tempDir();
    await assert.rejects(Encoder.load('nobody/no-such-model', { cacheDir, hubUrl: 'http://127.0.0.1:9', layerwiseCache: cacheRoot }), (err: Error) => {
      assert.match(err.message, /cannot get config\.json of model "nobody\/no-such-model": the hub could not be reached .*not in the cache .*download it once with network access .*or pass a local folder/);
      return true;
    });
    await assert.rejects(Encoder.load('nobody/no-such-model', { cacheDir, offline: true }), /not in the Hugging Face cache .* offline mode is on: download it once/);
    rmSync(cacheDir, { recursive: true, force: true });
  });
});

describe('hub models', () => {
  test('a model already in the Hugging Face cache (Python layout) loads offline and equals the folder', async () => {
    const cacheDir = tempDir();
    const commit = 'a'.repeat(40);
    const repo = join(cacheDir, 'models--test--tiny-roberta');
    const snapshot = join(repo, 'snapshots', commit);
    mkdirSync(join(snapshot, 'onnx'), { recursive: true });
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), commit);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) symlinkSync(join(FIXTURES, 'tiny-roberta', f), join(snapshot, f));
    const fromHub = await Encoder.load('test/tiny-roberta', { cacheDir, offline: true, layerwiseCache: cacheRoot });
    const fromFolder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: cacheRoot });
    const text = ['Cached models load without a network.'];
    assert.deepEqual((await fromHub.embed(text, { cache: false })).matrices(), (await fromFolder.embed(text, { cache: false })).matrices());
    await fromHub.dispose();
    await fromFolder.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('downloads from a hub once through @huggingface/hub, then works offline', async () => {
    const { startMockHub } = await import('./mock-hub.js');
    const hub = await startMockHub('test/tiny-roberta', join(FIXTURES, 'tiny-roberta'));
    const cacheDir = tempDir();
    try {
      const encoder = await Encoder.load('test/tiny-roberta', { cacheDir, hubUrl: hub.url, layerwiseCache: cacheRoot });
      const downloads = hub.downloads();
      assert.ok(downloads.includes('onnx/model.onnx') && downloads.includes('tokenizer.json'), downloads.join(','));
      const reference = readReference(join(FIXTURES, 'tiny-roberta'));
      const [a] = await encoder.embedTokens([reference.sentences[1].text]);
      assert.ok(maxDiff(reference.sentences[1].hidden_states[4], a.hiddenStates.layer(4).data) < 1e-4);
      await encoder.dispose();
      assert.ok(existsSync(join(cacheDir, 'models--test--tiny-roberta', 'refs', 'main')), 'the ref is recorded for offline use');
      await hub.close();
      const offline = await Encoder.load('test/tiny-roberta', { cacheDir, offline: true, layerwiseCache: cacheRoot });
      assert.equal(offline.numHiddenStates, 5);
      await offline.dispose();
    } finally {
      await hub.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('pooling inside the graph', () => {
  // The extraction store and a resumed lab rely on this: a text's vector is the same bits whichever batch it ran in.
  test('a text pooled alone and among longer texts and more words gives the same bits', async () => {
    const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: tempDir() });
    const text = 'the cat sat';
    const others = ['a much longer sentence that pads the short one with many tokens', 'another one, of middling length'];
    for (const pooling of ['mean', 'cls', 'max'] as const) {
      const alone = await encoder.embed([text], { pooling, cache: false, batchSize: 1 });
      const batched = await encoder.embed([...others, text], { pooling, cache: false, batchSize: 8 });
      for (let l = 0; l < encoder.numHiddenStates; l++) assert.deepEqual(batched.row(2, l), alone.row(0, l), `${pooling}, layer ${l}`);
    }
    const words = ['short', 'one'];
    const many = Array.from({ length: 40 }, (_, i) => `word${i}`);
    for (const pooling of ['first', 'mean', 'last'] as const) {
      const alone = await encoder.embedWords([words], { pooling, cache: false, batchSize: 1 });
      const batched = await encoder.embedWords([many, words], { pooling, cache: false, batchSize: 8 });
      for (let l = 0; l < encoder.numHiddenStates; l++) for (let w = 0; w < words.length; w++) assert.deepEqual(batched.word(1, w, l), alone.word(0, w, l), `${pooling}, word ${w}, layer ${l}`);
    }
    await encoder.dispose();
  });
});

describe('sessions side by side', () => {
  // A store filled by one setting is read by the other: both must give the same bits.
  test('two one-thread sessions in worker threads give the bits of one session on every path, in input order, and load again after dispose', async () => {
    const dir = join(FIXTURES, 'tiny-roberta');
    const cache = tempDir();
    const one = await Encoder.load(dir, { layerwiseCache: cache });
    const two = await Encoder.load(dir, { layerwiseCache: cache, sessions: 2 });
    assert.equal(one.sessions, 1); // the default for a model of a few MB: a worker's start would cost more than it saves
    assert.equal(two.sessions, 2);
    const reference = readReference(dir);
    // Texts of many lengths, so batches of different shapes run on both sessions at once.
    const texts = [...reference.sentences.map((s) => s.text), ...Array.from({ length: 30 }, (_, i) => `sentence ${i} is ${'very '.repeat(i % 9)}long`)];
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    for (const pooling of ['mean', 'cls', 'max'] as const) {
      const [a, b] = await Promise.all([one, two].map((e) => e.embed(texts, { pooling, cache: false, batchSize: 4 })));
      for (let l = 0; l < one.numHiddenStates; l++) assert.deepEqual(bits(b.layer(l).data), bits(a.layer(l).data), `${pooling}, layer ${l}`);
    }
    const sentences = texts.map((t) => t.split(' '));
    for (const pooling of ['first', 'mean', 'last'] as const) {
      const [a, b] = await Promise.all([one, two].map((e) => e.embedWords(sentences, { pooling, cache: false, batchSize: 4 })));
      for (let l = 0; l < one.numHiddenStates; l++) assert.deepEqual(bits(b.layer(l).data), bits(a.layer(l).data), `words ${pooling}, layer ${l}`);
    }
    const [a, b] = await Promise.all([one, two].map((e) => e.embedTokens(texts, { attentions: true, components: true, batchSize: 4 })));
    b.forEach((cache, i) => {
      assert.equal(cache.text, texts[i]);
      for (const name of a[i].names()) assert.deepEqual(bits(cache.get(name).data), bits(a[i].get(name).data), `text ${i}, ${name}`);
    });
    // And against PyTorch, through the workers.
    reference.sentences.forEach((sentence, i) => sentence.hidden_states.forEach((states, l) => assert.ok(maxDiff(states, b[i].hiddenStates.layer(l).data) < 1e-4, `text ${i}, hidden state ${l}`)));
    await two.dispose();
    const again = await two.embed(texts.slice(0, 3), { cache: false });
    assert.deepEqual(bits(again.layer(1).data), bits((await one.embed(texts.slice(0, 3), { cache: false })).layer(1).data));
    await Promise.all([one.dispose(), two.dispose()]);
  });
});
