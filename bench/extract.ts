/**
 * Extraction throughput: layerwise (every hidden state) against transformers.js's own
 * `feature-extraction` pipeline (last layer only), same model, texts and batch size, one run.
 *
 *   bench/make-roberta-base.sh && npm run bench:extract [-- --texts 512 --batch-size 32 --dtype fp32]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pipeline } from '@huggingface/transformers';
import { Encoder } from '../src/index.js';
import { planBatches } from '../src/encoder/batches.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/roberta-base-shaped' },
    texts: { type: 'string', default: '512' },
    'batch-size': { type: 'string', default: '32' },
    dtype: { type: 'string', default: 'fp32' },
  },
});
const model = resolve(values.model!);
const batchSize = Number(values['batch-size']);
const dtype = values.dtype as 'fp32' | 'q8';
const texts = readFileSync(resolve('data/sst2/test.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[0].trim()).slice(0, Number(values.texts));

const encoder = await Encoder.load(model, { dtype, layerwiseCache: resolve('.cache/layerwise-bench') });
const tokens = texts.reduce((sum, t) => sum + encoder.tokenizer.encode(t).length, 0);
const extractor = await pipeline('feature-extraction', model, { dtype, local_files_only: true });

async function timeIt(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// Warm up both (session creation, first-run allocations) outside the timings.
await encoder.embed(texts.slice(0, batchSize), { pooling: 'mean', batchSize, cache: false });
await extractor(texts.slice(0, batchSize), { pooling: 'mean' });

// The floor under both: ONNX Runtime alone on the tapped graph, same batches, no tokenizing or pooling.
const ids = texts.map((t) => encoder.tokenizer.encode(t));
const layers = Array.from({ length: encoder.numHiddenStates }, (_, l) => l);
const runtimeOnly = async () => {
  for (const batch of planBatches(ids.map((x) => x.length), batchSize)) await encoder.model.run(batch.map((i) => ids[i]), encoder.tokenizer.pad_token_id, { layers });
};

const rounds = 2;
const ours: number[] = [];
const peer: number[] = [];
const bare: number[] = [];
for (let r = 0; r < rounds; r++) {
  bare.push(await timeIt(runtimeOnly));
  ours.push(await timeIt(() => encoder.embed(texts, { pooling: 'mean', batchSize, cache: false })));
  peer.push(await timeIt(async () => {
    for (let i = 0; i < texts.length; i += batchSize) {
      const out = await extractor(texts.slice(i, i + batchSize), { pooling: 'mean' });
      out.dispose();
    }
  }));
}
const best = (xs: number[]) => Math.min(...xs);
const oursRate = tokens / best(ours);
const peerRate = tokens / best(peer);
console.log(`model ${model} (${dtype}), ${texts.length} SST-2 sentences, ${tokens} tokens, batch ${batchSize}, best of ${rounds}`);
console.log(`layerwise, all ${encoder.numHiddenStates} hidden states: ${oursRate.toFixed(0)} tokens/s (${best(ours).toFixed(2)} s)`);
console.log(`transformers.js feature-extraction, last layer: ${peerRate.toFixed(0)} tokens/s (${best(peer).toFixed(2)} s)`);
console.log(`ONNX Runtime alone on the tapped graph, same batches: ${(tokens / best(bare)).toFixed(0)} tokens/s (layerwise reaches ${((oursRate / (tokens / best(bare))) * 100).toFixed(0)}% of it)`);
console.log(`ratio layerwise / transformers.js: ${(oursRate / peerRate).toFixed(2)}×`);
await encoder.dispose();
await extractor.dispose();
