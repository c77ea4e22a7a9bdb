/**
 * Extraction throughput on one machine, in one run, on the same texts and batch size:
 *   - layerwise (every hidden state, mean-pooled) in fp32, q8 (int8 weights), and fp16 and q4
 *     (onnx/model_fp16.onnx, onnx/model_q4.onnx: bench/make-roberta-base.sh makes them) when present;
 *   - ONNX Runtime alone on the tapped graph, same batches (no tokenizing, no store), each dtype: as
 *     layerwise edits it (attention keys read in place, src/encoder/onnx/key-transpose.ts; hidden states
 *     mean-pooled in the graph, src/encoder/onnx/pooling.ts) in one session on all threads, and in as
 *     many one-thread sessions side by side as layerwise runs (src/encoder/session-pool.ts); and as
 *     exported (taps only, every token's states fetched), one session;
 *   - transformers.js's own `feature-extraction` pipeline (last layer only), each dtype;
 *   - Hugging Face PyTorch eager, fp32, `output_hidden_states=True`, on length-sorted batches and
 *     in input order, when --python (or LAYERWISE_BENCH_PYTHON, or the repository's .venv-tools/bin/python)
 *     has torch and transformers. It runs the same architecture from config.json with random
 *     weights (speed does not depend on their values) on the token ids layerwise produced.
 * Each path's rate is in tokens/s and in % of the machine's measured ONNX Runtime MatMul rate
 * (measureMatmulRate, src/core/matmul-rate.ts: one product's fastest run) at the model's FLOPs a
 * token (from config.json: 2 FLOPs per weight of every projection, plus the attention products at
 * the texts' mean padded length); fp32 paths also in % of the sustained rate of the model's weight
 * products alone, chained in one graph and run for 5 s (measureEncoderProductsRate), at their FLOPs
 * only. The machine is shared, so rounds interleave the paths and each path's best round counts.
 *
 *   bench/make-roberta-base.sh && npm run bench:extract [-- --model DIR --texts 512 --batch-size 32 --rounds 2 --python PATH]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pipeline } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { Encoder } from '../src/index.js';
import { writeEditedGraph } from '../src/encoder/onnx/graph.js';
import { planBatches, runInOrder } from '../src/encoder/batches.js';
import { poolingWeights } from '../src/encoder/pool.js';
import { SessionPool } from '../src/encoder/session-pool.js';
import type { BatchRunner } from '../src/encoder/session.js';
import { MODEL_FILES } from '../src/encoder/encoder.js';
import { cpuModel, measureEncoderProductsRate, measureMatmulRate, productFlopsPerToken } from '../src/core/matmul-rate.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '.cache/bench/roberta-base-shaped' },
    texts: { type: 'string', default: '512' },
    'batch-size': { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    python: { type: 'string', default: process.env.LAYERWISE_BENCH_PYTHON ?? '.venv-tools/bin/python' },
  },
});
const model = resolve(values.model!);
const batchSize = Number(values['batch-size']);
const rounds = Number(values.rounds);
const texts = readFileSync(resolve('data/sst2/test.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t')[0].trim()).slice(0, Number(values.texts));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const flags = new Set(cpuinfo.split('\n').find((l) => l.startsWith('flags'))?.split(':')[1].trim().split(/\s+/) ?? []);
const simd = ['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'].filter((f) => flags.has(f));

console.log(`CPU: ${cpuModel()}, ${availableParallelism()} cores (${simd.join(', ') || 'no AVX2'}${flags.has('avx512_vnni') || flags.has('avx_vnni') ? '' : '; no VNNI: int8 products run on AVX2'}); load average ${loadavg()} at start`);
const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as { hidden_size: number; num_hidden_layers: number; intermediate_size: number };
const shape = { hidden: config.hidden_size, intermediate: config.intermediate_size, layers: config.num_hidden_layers };
// Measured again every round, like the paths, and its best counts: a busy machine moves it too.
const ceiling = await measureMatmulRate({ int8: true });
let sustained = 0;
const measureCeiling = async () => {
  const again = await measureMatmulRate({ int8: true });
  ceiling.fp32GflopS = Math.max(ceiling.fp32GflopS, again.fp32GflopS);
  ceiling.int8GopS = Math.max(ceiling.int8GopS, again.int8GopS);
  sustained = Math.max(sustained, await measureEncoderProductsRate(shape));
};

interface Path {
  name: string;
  dtype: 'fp32' | 'q8' | 'fp16' | 'q4';
  /** One pass over the first `n` texts; PyTorch returns its own time. */
  run: (n: number) => Promise<unknown>;
  seconds: number[];
}
const paths: Path[] = [];
const path = (name: string, dtype: Path['dtype'], run: (n: number) => Promise<unknown>): Path => {
  const made = { name, dtype, run, seconds: [] };
  paths.push(made);
  return made;
};
/** ONNX Runtime alone in as many sessions as layerwise runs, by dtype. */
const aloneAsLayerwise: Partial<Record<Path['dtype'], Path>> = {};
const pipelinePass = (extractor: (texts: string[], options: { pooling: 'mean' }) => Promise<{ dispose(): void }>) => async (n: number) => {
  for (let i = 0; i < n; i += batchSize) (await extractor(texts.slice(i, Math.min(i + batchSize, n)), { pooling: 'mean' })).dispose();
};

const encoders: Encoder[] = [];
const disposers: (() => Promise<unknown>)[] = [];
let ids: number[][] = [];
let padId = 0;
for (const dtype of ['fp32', 'q8', 'fp16', 'q4'] as const) {
  const file = join(model, MODEL_FILES[dtype]);
  if (!existsSync(file)) {
    console.log(`${dtype}: skipped, ${file} is absent`);
    continue;
  }
  const encoder = await Encoder.load(model, { dtype, layerwiseCache: resolve('.cache/layerwise-bench') });
  encoders.push(encoder);
  ids = texts.map((t) => encoder.tokenizer.encode(t));
  padId = encoder.tokenizer.pad_token_id ?? 1;
  const layers = Array.from({ length: encoder.numHiddenStates }, (_, l) => l);
  const sessions = encoder.sessions;
  path(`layerwise ${dtype}, all ${encoder.numHiddenStates} hidden states, ${sessions} session${sessions > 1 ? 's' : ''}`, dtype, (n) => encoder.embed(texts.slice(0, n), { pooling: 'mean', batchSize, cache: false }));
  // The same batches as layerwise runs them, keeping every session busy, with nothing around the runs.
  const alone = (runner: BatchRunner, n: number) =>
    runInOrder(planBatches(ids.slice(0, n).map((x) => x.length), batchSize), runner.parallelism, (batch) => {
      const rows = batch.map((i) => ids[i]);
      const pooling = poolingWeights(rows.map((x) => [{ from: 0, to: x.length }]), Math.max(...rows.map((x) => x.length)), 'mean');
      return runner.run(rows, padId, { layers, pooling });
    }, () => {});
  aloneAsLayerwise[dtype] = path(`ONNX Runtime alone, tapped graph ${dtype}, mean-pooled in it, one session`, dtype, (n) => alone(encoder.model, n));
  if (sessions > 1) {
    const pool = new SessionPool(sessions, encoder.model, Math.floor(availableParallelism() / sessions));
    disposers.push(() => pool.release());
    await pool.start(); // every worker's session loaded before the timings, as Encoder.load does
    aloneAsLayerwise[dtype] = path(`ONNX Runtime alone, tapped graph ${dtype}, mean-pooled in it, ${sessions} sessions side by side`, dtype, (n) => alone(pool, n));
  }
  // The same taps without layerwise's edits, every token's states fetched: what the edits gain, measured in this run.
  const asExported = resolve(`.cache/layerwise-bench/as-exported-${dtype}.onnx`);
  writeEditedGraph(file, asExported, { outputs: encoder.model.taps.hiddenStates });
  const session = await ort.InferenceSession.create(asExported, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: availableParallelism(), interOpNumThreads: 1 });
  disposers.push(() => session.release());
  path(`ONNX Runtime alone, tapped graph as exported ${dtype}`, dtype, async (n) => {
    for (const batch of planBatches(ids.slice(0, n).map((x) => x.length), batchSize)) await session.run(encoder.model.feeds(batch.map((i) => ids[i]), padId));
  });
  const extractor = await pipeline('feature-extraction', model, { dtype, local_files_only: true });
  disposers.push(() => extractor.dispose());
  path(`transformers.js feature-extraction ${dtype}, last layer`, dtype, pipelinePass(extractor));
}

const TORCH = String.raw`
import json, os, sys, time
import torch
from transformers import RobertaConfig, RobertaModel
torch.set_num_threads(os.cpu_count())
config = RobertaConfig.from_pretrained(sys.argv[1])
model = RobertaModel(config, add_pooling_layer=False).eval()
print(json.dumps({'torch': torch.__version__}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    start = time.perf_counter()
    with torch.inference_mode():
        for batch in request['batches']:
            longest = max(len(x) for x in batch)
            input_ids = torch.tensor([x + [request['pad']] * (longest - len(x)) for x in batch])
            mask = torch.tensor([[1] * len(x) + [0] * (longest - len(x)) for x in batch])
            model(input_ids=input_ids, attention_mask=mask, output_hidden_states=True)
    print(json.dumps({'seconds': time.perf_counter() - start}), flush=True)
`;

/** A Hugging Face PyTorch worker answering one timed pass a line, or why it cannot. */
async function startTorch(python: string): Promise<{ ask: (batches: number[][][]) => Promise<number>; close: () => void; version: string } | string> {
  if (!existsSync(python)) return `${python} not found`;
  const child = spawn(python, ['-c', TORCH, model], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONWARNINGS: 'ignore', TRANSFORMERS_VERBOSITY: 'error' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) return `${python} cannot run it: ${stderr.trim().split('\n').at(-1)}`;
  return {
    version: (JSON.parse(first.value) as { torch: string }).torch,
    ask: async (batches) => {
      child.stdin.write(JSON.stringify({ batches, pad: padId }) + '\n');
      const answer = await lines.next();
      if (answer.done) throw new Error(`PyTorch worker failed: ${stderr.trim().split('\n').at(-1)}`);
      return (JSON.parse(answer.value) as { seconds: number }).seconds;
    },
    close: () => child.stdin.end(),
  };
}
const torch = await startTorch(values.python!);
if (typeof torch === 'string') {
  console.log(`HF PyTorch: skipped, ${torch}`);
} else {
  const chunk = (order: number[]) => Array.from({ length: Math.ceil(order.length / batchSize) }, (_, b) => order.slice(b * batchSize, (b + 1) * batchSize).map((i) => ids[i]));
  const first = (n: number) => ids.slice(0, n).map((_, i) => i);
  // Its own model time comes back (the JSON round trip is not PyTorch's cost).
  path(`HF PyTorch ${torch.version} eager fp32, all hidden states, length-sorted batches`, 'fp32', (n) => torch.ask(chunk(first(n).sort((a, b) => ids[a].length - ids[b].length))));
  path(`HF PyTorch ${torch.version} eager fp32, all hidden states, input order`, 'fp32', (n) => torch.ask(chunk(first(n))));
  disposers.push(async () => torch.close());
}

const tokens = ids.reduce((sum, x) => sum + x.length, 0);
const paddedLength = (() => {
  const batches = planBatches(
    ids.map((x) => x.length),
    batchSize,
  );
  const padded = batches.reduce((sum, b) => sum + b.length * Math.max(...b.map((i) => ids[i].length)), 0);
  return padded / ids.length; // mean sequence length a text is run at
})();
// Per token and layer: Q, K, V, output (4h²) and the two FFN matrices (2·h·inter) at 2 FLOPs a
// weight, plus QKᵀ and attention·V (2·2·L·h at sequence length L).
const flopsPerToken = productFlopsPerToken(shape) + shape.layers * 4 * paddedLength * shape.hidden;

// Warm-up outside the timings: session creation, first-run allocations, PyTorch's first pass.
for (const p of paths) await p.run(batchSize);
for (let r = 0; r < rounds; r++) {
  await measureCeiling();
  for (const p of paths) {
    const start = process.hrtime.bigint();
    const reported = await p.run(texts.length);
    p.seconds.push(typeof reported === 'number' ? reported : Number(process.hrtime.bigint() - start) / 1e9);
  }
}

const rate = (p: Path) => tokens / Math.min(...p.seconds);
console.log(`ONNX Runtime MatMul ceiling, [${ceiling.shape.join('×').replace(/×(\d+)$/, '·$1')}]: fp32 ${ceiling.fp32GflopS.toFixed(1)} GFLOP/s, int8 MatMulInteger ${ceiling.int8GopS.toFixed(1)} GOP/s (best of ${rounds + 1})`);
console.log(`model ${model}; ${texts.length} SST-2 sentences, ${tokens} tokens, batch ${batchSize}, best of ${rounds} interleaved rounds`);
console.log(`model cost ${(flopsPerToken / 1e6).toFixed(0)} MFLOP a token (mean padded length ${paddedLength.toFixed(1)})`);
console.log(`the model's weight products alone, chained in one graph, ${shape.layers} layers × 6 at 512 rows, 5 s a round: ${sustained.toFixed(1)} GFLOP/s sustained (best of ${rounds + 1})`);
for (const p of paths) {
  const peak = p.dtype === 'q8' ? ceiling.int8GopS : ceiling.fp32GflopS;
  const share = p.dtype === 'fp32' || p.dtype === 'q8' ? `, ${((100 * rate(p) * flopsPerToken) / (peak * 1e9)).toFixed(0)}% of the ${p.dtype === 'q8' ? 'int8' : 'fp32'} MatMul ceiling` : '';
  const ofSustained = p.dtype === 'fp32' ? `, ${((100 * rate(p) * productFlopsPerToken(shape)) / (sustained * 1e9)).toFixed(0)}% of the products' sustained rate` : '';
  console.log(`  ${p.name}: ${rate(p).toFixed(0)} tokens/s (${Math.min(...p.seconds).toFixed(2)} s)${share}${ofSustained}`);
}
const find = (prefix: string) => paths.find((p) => p.name.startsWith(prefix));
const ratio = (a?: Path, b?: Path) => (a && b ? `${(rate(a) / rate(b)).toFixed(2)}×` : 'n/a');
const fp32 = find('layerwise fp32');
const q8 = find('layerwise q8');
const sortedTorch = paths.find((p) => p.name.includes('length-sorted'));
console.log('\nratios');
console.log(`  layerwise fp32 / transformers.js fp32 (last layer): ${ratio(fp32, find('transformers.js feature-extraction fp32'))}`);
console.log(`  layerwise fp32 / HF PyTorch eager (sorted batches): ${ratio(fp32, sortedTorch)}`);
console.log(`  layerwise fp32 / ONNX Runtime alone, as many sessions: ${ratio(fp32, aloneAsLayerwise.fp32)}`);
console.log(`  layerwise fp32 / ONNX Runtime alone, one session: ${ratio(fp32, find('ONNX Runtime alone, tapped graph fp32, mean-pooled in it, one session'))}`);
for (const dtype of ['fp32', 'q8']) console.log(`  ONNX Runtime alone ${dtype}, one session, layerwise's edits (keys read in place, pooled in the graph) / as exported: ${ratio(find(`ONNX Runtime alone, tapped graph ${dtype}, mean-pooled in it, one session`), find(`ONNX Runtime alone, tapped graph as exported ${dtype}`))}`);
console.log(`  layerwise q8 / layerwise fp32: ${ratio(q8, fp32)}`);
console.log(`  layerwise q8 / HF PyTorch eager fp32 (sorted batches): ${ratio(q8, sortedTorch)}`);
for (const dtype of ['fp16', 'q4']) if (find(`layerwise ${dtype}`)) console.log(`  layerwise ${dtype} / layerwise fp32: ${ratio(find(`layerwise ${dtype}`), fp32)}`);
console.log(`load average ${loadavg()} at the end`);
for (const dispose of disposers) await dispose();
for (const encoder of encoders) await encoder.dispose();
