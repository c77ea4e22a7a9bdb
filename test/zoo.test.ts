import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Encoder, cosineSimilarity, type ActivationCache, type Dtype } from '../src/index.js';
import { readGraph, writeEditedGraph } from '../src/encoder/onnx/graph.js';
import { keyTransposeEdits } from '../src/encoder/onnx/key-transpose.js';
import { findTaps } from '../src/encoder/taps.js';
import { FIXTURES, ROOT, tempDir } from './helpers.js';

// The conformance zoo (test/fixtures/zoo, made by tools/make_zoo.py): tiny random-weight models built with
// Hugging Face transformers' own classes, exported as the hub's files are, each with a reference computed by
// the PyTorch model itself (output_hidden_states=True, output_attentions=True).

interface ZooModel {
  name: string;
  model_type: string;
  class: string;
  export: 'legacy' | 'dynamo' | 'fused';
  opset: number;
  inputs: string[];
  dtypes: Dtype[];
  external_data: boolean;
  confuse: string | null;
  unsupported: boolean;
}

interface Reference {
  num_hidden_states: number;
  sentences: Array<{ text: string; input_ids: number[]; hidden_states: number[][][]; attentions: number[][][][] }>;
}

const ZOO = join(FIXTURES, 'zoo');
const manifest = JSON.parse(readFileSync(join(ZOO, 'zoo.json'), 'utf8')) as { models: ZooModel[] };
const QUANTIZED = new Set<Dtype>(['q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);
const cacheRoot = tempDir();
after(() => rmSync(cacheRoot, { recursive: true, force: true }));

/** Largest |reference - actual| over every hidden state and attention map, and the smallest per-token cosine. */
function compare(reference: Reference, activations: ActivationCache[]): { states: number; attentions: number; minCosine: number } {
  let states = 0, attentions = 0, minCosine = 1;
  activations.forEach((a, i) => {
    const s = reference.sentences[i];
    assert.deepEqual(a.inputIds, s.input_ids, `token ids of "${s.text}" (transformers.js vs the Python tokenizer)`);
    assert.equal(a.hiddenStates.layers.length, reference.num_hidden_states);
    s.hidden_states.forEach((matrix, l) => matrix.forEach((row, t) => {
      assert.equal(a.hiddenStates.hiddenSize, row.length, `hidden state ${l} width`);
      const got = a.hiddenStates.row(t, l);
      row.forEach((v, d) => (states = Math.max(states, Math.abs(v - got[d]))));
      minCosine = Math.min(minCosine, cosineSimilarity(row, got));
    }));
    // PyTorch's attentions[l] is encoder layer l + 1.
    if (a.attentionLayers.length) s.attentions.forEach((heads, l) => heads.forEach((map, h) => map.forEach((row, q) => row.forEach((v, k) => {
      attentions = Math.max(attentions, Math.abs(v - a.attention(l + 1, h).data[q * row.length + k]));
    }))));
  });
  return { states, attentions, minCosine };
}

/** Each model × dtype: `works` or the first words of its error, for the README table. */
const outcomes = new Map<string, string>();
const outcome = (m: ZooModel, dtype: Dtype) => `${m.name}|${dtype}`;

/** Runs a check and records how it went; failures still fail the test. */
async function recorded(m: ZooModel, dtype: Dtype, check: () => Promise<void>): Promise<void> {
  try {
    await check();
    outcomes.set(outcome(m, dtype), outcomes.get(outcome(m, dtype)) ?? 'works');
  } catch (err) {
    outcomes.set(outcome(m, dtype), `fails: ${(err as Error).message.split(/[:(]/)[0].trim()}`);
    throw err;
  }
}

for (const m of manifest.models) {
  const dir = join(ZOO, m.name);
  describe(`zoo ${m.name} (${m.class}, ${m.export} export, opset ${m.opset})`, () => {
    if (m.unsupported) {
      test('is refused with a one-line error saying what is supported', async () => {
        await assert.rejects(Encoder.load(dir, { layerwiseCache: cacheRoot }), (err: Error) => {
          assert.match(err.message, new RegExp(`model type "${m.model_type}" of .* is not supported: layerwise reads encoder-only models of type bert, roberta`));
          assert.ok(!err.message.includes('\n'));
          outcomes.set(outcome(m, 'fp32'), `refused: ${err.message.replace(/ of \/\S+/, '').split(':')[0]}`);
          return true;
        });
      });
      return;
    }
    const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
    const texts = reference.sentences.map((s) => s.text);

    if (m.confuse === 'merge-back') {
      // A node outside every layer reads a tensor inside layer 1 and adds it (× 0) into layer 2's input: the
      // layers no longer share one structure. layerwise must refuse loudly or still return PyTorch's numbers.
      test('a confusing graph (an extra node merging a layer-internal tensor back) yields right tensors or fails loudly', async () => {
        await recorded(m, 'fp32', async () => {
          let encoder: Encoder;
          try {
            encoder = await Encoder.load(dir, { layerwiseCache: cacheRoot });
          } catch (err) {
            assert.match((err as Error).message, /differ in structure/);
            assert.ok(!(err as Error).message.includes('\n'));
            outcomes.set(outcome(m, 'fp32'), `refused: ${(err as Error).message.split(/[:(]/)[0].replace(/ of \/\S+/, '').trim()}`);
            return;
          }
          const { states, attentions } = compare(reference, await encoder.embedTokens(texts, { attentions: true }));
          await encoder.dispose();
          assert.ok(states < 1e-4 && attentions < 1e-4, `hidden states off by ${states}, attentions by ${attentions}`);
        });
      });
      return;
    }

    for (const dtype of m.dtypes) {
      if (dtype === 'fp32') {
        test('fp32: every hidden state and attention map within 1e-4 of PyTorch, batched and one by one', async () => {
          await recorded(m, dtype, async () => {
            const encoder = await Encoder.load(dir, { layerwiseCache: cacheRoot });
            for (const batchSize of [8, 1]) {
              const { states, attentions } = compare(reference, await encoder.embedTokens(texts, { attentions: true, batchSize }));
              assert.ok(states < 1e-4, `batch ${batchSize}: hidden states off by ${states}`);
              assert.ok(attentions < 1e-4, `batch ${batchSize}: attentions off by ${attentions}`);
            }
            await encoder.dispose();
          });
        });
      } else if (dtype === 'fp16') {
        test('fp16: hidden states within 2e-2 of PyTorch (or per-token cosine ≥ 0.999), attentions within 2e-2', async () => {
          await recorded(m, dtype, async () => {
            const encoder = await Encoder.load(dir, { dtype, layerwiseCache: cacheRoot });
            for (const batchSize of [8, 1]) {
              const { states, attentions, minCosine } = compare(reference, await encoder.embedTokens(texts, { attentions: true, batchSize }));
              assert.ok(states < 2e-2 || minCosine >= 0.999, `batch ${batchSize}: hidden states off by ${states}, cosine ${minCosine}`);
              assert.ok(attentions < 2e-2, `batch ${batchSize}: attentions off by ${attentions}`);
            }
            await encoder.dispose();
          });
        });
      } else if (QUANTIZED.has(dtype)) {
        // Per-token cosine ≥ 0.95 at every layer: quantization noise only. The 8-bit files use reduce_range
        // (7-bit weights), so ORT's integer kernels are exact on AVX2 and AVX-512 alike (test/fixtures/README.md).
        test(`${dtype}: every token within cosine 0.95 of PyTorch fp32 at every layer, and taps change no number`, async () => {
          await recorded(m, dtype, async () => {
            const encoder = await Encoder.load(dir, { dtype, layerwiseCache: cacheRoot, threads: 1 });
            for (const batchSize of [8, 1]) {
              const { minCosine } = compare(reference, await encoder.embedTokens(texts, { batchSize }));
              assert.ok(minCosine >= 0.95, `batch ${batchSize}: per-token cosine ${minCosine}`);
            }
            await assertTapsChangeNothing(encoder.model.modelPath, m.inputs, reference.sentences[0].input_ids);
            await encoder.dispose();
          });
        });
      }
    }
  });
}

/**
 * The tapped graph's own first output (logits or last_hidden_state) is bit-equal to the untapped file's,
 * with the attention keys read in place (keyTransposeEdits) as extraction runs it.
 */
async function assertTapsChangeNothing(modelPath: string, inputs: string[], ids: number[]): Promise<void> {
  const graph = readGraph(modelPath);
  const taps = findTaps(graph);
  const tapped = join(cacheRoot, `taps-check-${Math.random().toString(36).slice(2)}.onnx`);
  const edits = keyTransposeEdits(graph);
  // Every float32 graph of the zoo computes its scores on transposed keys; ORT's FusedMatMul has no float16.
  const layers = taps.hiddenStates.length - 1;
  assert.ok(graph.float16 ? edits.nodes.length === 0 : edits.nodes.length >= 2 * layers, `${edits.nodes.length} key transpose edits for ${layers} layers`);
  writeEditedGraph(modelPath, tapped, { outputs: taps.hiddenStates, ...edits });
  const dims = [1, ids.length];
  const values: Record<string, BigInt64Array> = {
    input_ids: BigInt64Array.from(ids.map(BigInt)),
    attention_mask: new BigInt64Array(ids.length).fill(1n),
    token_type_ids: new BigInt64Array(ids.length),
  };
  const feeds = Object.fromEntries(inputs.map((name) => [name, new ort.Tensor('int64', values[name], dims)]));
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1 };
  const output = graph.outputs[0];
  const plain = await ort.InferenceSession.create(modelPath, options);
  const withTaps = await ort.InferenceSession.create(tapped, options);
  assert.deepEqual((await withTaps.run(feeds, [output]))[output].data, (await plain.run(feeds, [output]))[output].data, `${output} of the tapped graph`);
  await plain.release();
  await withTaps.release();
}

// The README's supported-models table is this test's output: rewritten with LAYERWISE_UPDATE_README=1,
// compared otherwise (a stale table fails, so it never drifts from what the zoo shows).
const TABLE_START = '<!-- zoo-table: generated by test/zoo.test.ts from test/fixtures/zoo; do not edit -->';
const TABLE_END = '<!-- zoo-table end -->';
const DTYPES: Dtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];

function table(): string {
  const rows = manifest.models.map((m) => {
    const exported = `${m.export === 'dynamo' ? 'dynamo' : 'TorchScript'} opset ${m.opset}${m.export === 'fused' ? ', ORT-fused' : ''}${m.external_data ? ', external data' : ''}${m.inputs.includes('position_ids') ? ', position_ids input' : ''}${m.confuse ? `, confusing node (${m.confuse})` : ''}`;
    const cells = DTYPES.map((d) => (m.dtypes.includes(d) ? outcomes.get(outcome(m, d)) ?? 'not run' : ''));
    return `| \`${m.name}\` | ${m.model_type} | ${m.class} | ${exported} | ${cells.join(' | ')} |`;
  });
  return [
    TABLE_START,
    `| fixture | model_type | class | export | ${DTYPES.join(' | ')} |`,
    `|---|---|---|---|${DTYPES.map(() => '---').join('|')}|`,
    ...rows,
    TABLE_END,
  ].join('\n');
}

describe('README supported-models table', () => {
  test('is the table this run of the zoo produces', () => {
    const readmePath = join(ROOT, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    assert.ok(start >= 0 && end > start, 'README.md has no zoo-table markers');
    const current = readme.slice(start, end + TABLE_END.length);
    const fresh = table();
    if (process.env.LAYERWISE_UPDATE_README === '1') writeFileSync(readmePath, readme.replace(current, fresh));
    else assert.equal(current, fresh, 'README.md\'s supported-models table is stale: run LAYERWISE_UPDATE_README=1 node --import tsx --test test/zoo.test.ts');
  });
});

describe('external data from the hub', () => {
  test('onnx/model.onnx_data is downloaded with the model, read in place from the cache, and offline after', async () => {
    const { startMockHub } = await import('./mock-hub.js');
    const dir = join(ZOO, 'bert-external');
    const hub = await startMockHub('test/bert-external', dir);
    const cacheDir = tempDir();
    const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
    const texts = reference.sentences.map((s) => s.text);
    try {
      const encoder = await Encoder.load('test/bert-external', { cacheDir, hubUrl: hub.url, layerwiseCache: cacheRoot });
      assert.ok(hub.downloads().includes('onnx/model.onnx_data'), hub.downloads().join(', '));
      const { states } = compare(reference, await encoder.embedTokens(texts));
      assert.ok(states < 1e-4, `hidden states off by ${states}`);
      await encoder.dispose();
      await hub.close();
      const offline = await Encoder.load('test/bert-external', { cacheDir, offline: true, layerwiseCache: cacheRoot });
      assert.ok(compare(reference, await offline.embedTokens(texts)).states < 1e-4);
      await offline.dispose();
    } finally {
      await hub.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
