import { availableParallelism, cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import { graphModel, singleNodeModel, type Initializer, type NodeSpec, type ValueSpec } from './onnx.js';

/** The host's ONNX Runtime rate on one [m×k]·[k×n] product. */
export interface MatmulRate {
  shape: [number, number, number];
  threads: number;
  /** fp32 MatMul: 2·m·k·n FLOPs over the fastest run, in GFLOP/s. */
  fp32GflopS: number;
  /** int8 MatMulInteger (uint8 activations × int8 weights), in GOP/s: measured when asked. */
  int8GopS?: number;
}

export interface MatmulRateOptions {
  m?: number;
  k?: number;
  n?: number;
  /** Timed runs after the first; the fastest counts. */
  rounds?: number;
  /** Intra-op threads; extraction's default, all of them. */
  threads?: number;
  /** Measure the int8 product too (what dynamic quantization emits). */
  int8?: boolean;
}

/**
 * The bytes of a one-node model of [m×k]·[k×n] with the weights as an initializer, so ONNX Runtime
 * prepacks them as in an exported encoder: MatMul of fp32 weights, or MatMulInteger of int8 weights
 * with uint8 activations of zero point 128 (weights' zero point 0), whose output is int32.
 */
export function matmulModel(m: number, k: number, n: number, weights: Float32Array | Int8Array): Uint8Array {
  if (weights instanceof Float32Array) {
    return singleNodeModel({ op: 'MatMul', inputs: { A: [m, k], B: { type: 'float', dims: [k, n], data: weights } }, output: ['C', [m, n]], opset: 13 });
  }
  return singleNodeModel({
    op: 'MatMulInteger',
    inputs: {
      A: { type: 'uint8', dims: [m, k] },
      B: { type: 'int8', dims: [k, n], data: weights },
      a_zero_point: { type: 'uint8', dims: [], data: Uint8Array.of(128) },
      b_zero_point: { type: 'int8', dims: [], data: Int8Array.of(0) },
    },
    output: ['C', { type: 'int32', dims: [m, n] }],
    opset: 13,
  });
}

/** Seconds of the fastest of `rounds` runs, after a first run that allocates and prepacks the weights. */
async function fastestRun(model: Uint8Array, activations: ort.Tensor, rounds: number, threads: number): Promise<number> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1 });
  try {
    await session.run({ A: activations });
    let fastest = Infinity;
    for (let round = 0; round < rounds; round++) {
      const start = process.hrtime.bigint();
      await session.run({ A: activations });
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
    }
    return fastest;
  } finally {
    await session.release();
  }
}

/**
 * The host's ONNX Runtime MatMul rate: the fastest of `rounds` runs of one [m×k]·[k×n] product
 * (default [512×768]·[768×3072], a BERT-base FFN projection of 512 tokens) on the onnxruntime-node
 * and threads that extraction uses. An encoder's time is mostly such products, so this rate is what
 * scales the lab's wall time from one host to another; measured at the lab's start and end, it also
 * shows whether a shared host was busy meanwhile.
 */
export async function measureMatmulRate(options: MatmulRateOptions & { int8: true }): Promise<Required<MatmulRate>>;
export async function measureMatmulRate(options?: MatmulRateOptions): Promise<MatmulRate>;
export async function measureMatmulRate({ m = 512, k = 768, n = 3072, rounds = 20, threads = availableParallelism(), int8 = false }: MatmulRateOptions = {}): Promise<MatmulRate> {
  for (const [name, value] of Object.entries({ m, k, n, rounds, threads })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`measureMatmulRate: ${name} must be a positive integer, got ${value}`);
  }
  const operations = 2 * m * k * n;
  const weights = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.05);
  const activations = new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, i) => Math.cos(i)), [m, k]);
  const fp32Seconds = await fastestRun(matmulModel(m, k, n, weights), activations, rounds, threads);
  const rate: MatmulRate = { shape: [m, k, n], threads, fp32GflopS: operations / fp32Seconds / 1e9 };
  if (!int8) return rate;

  const weights8 = Int8Array.from({ length: k * n }, (_, i) => ((i * 7919) % 255) - 127);
  const activations8 = new ort.Tensor('uint8', Uint8Array.from({ length: m * k }, (_, i) => (i * 31) % 256), [m, k]);
  const int8Seconds = await fastestRun(matmulModel(m, k, n, weights8), activations8, rounds, threads);
  return { ...rate, int8GopS: operations / int8Seconds / 1e9 };
}

/** The CPU's model name, as the host's rates are reported with it. */
export function cpuModel(): string {
  return cpus()[0]?.model.trim() ?? 'unknown CPU';
}

/** An encoder's sizes, as config.json gives them (`hidden_size`, `intermediate_size`, `num_hidden_layers`). */
export interface EncoderShape {
  hidden: number;
  intermediate: number;
  layers: number;
}

/** FLOPs a token of an encoder's weight products: per layer four [h×h] attention projections and the FFN's [h×i] and [i×h], 2 a weight. */
export function productFlopsPerToken({ hidden, intermediate, layers }: EncoderShape): number {
  return layers * 2 * (4 * hidden * hidden + 2 * hidden * intermediate);
}

/**
 * A graph of an encoder's weight products and nothing else: per layer the four [h×h] attention
 * projections, then [h×i] and [i×h], each reading the one before (input A [m×h], output the last
 * product), with weights of their own per layer (together too large for the caches, as an encoder's
 * are) scaled by 1/√k so the values neither overflow nor fade into slow subnormals.
 */
export function encoderProductsModel({ hidden, intermediate, layers }: EncoderShape): { model: Uint8Array; weights: Float32Array[] } {
  const shapes: [number, number][] = [[hidden, hidden], [hidden, hidden], [hidden, hidden], [hidden, hidden], [hidden, intermediate], [intermediate, hidden]];
  const inputs: Record<string, ValueSpec | Initializer> = { A: ['m', hidden] };
  const weights: Float32Array[] = [];
  const nodes: NodeSpec[] = [];
  let previous = 'A';
  for (let l = 0; l < layers; l++) {
    for (const [j, [k, n]] of shapes.entries()) {
      const w = Float32Array.from({ length: k * n }, (_, i) => (Math.SQRT2 * Math.sin(i + 7 * weights.length)) / Math.sqrt(k));
      weights.push(w);
      const name = `W${weights.length}`;
      inputs[name] = { type: 'float', dims: [k, n], data: w };
      const output = `P${l}_${j}`;
      nodes.push({ op: 'MatMul', inputs: [previous, name], outputs: [output] });
      previous = output;
    }
  }
  return { model: graphModel({ name: 'encoder products', nodes, inputs, outputs: { [previous]: ['m', hidden] }, opset: 13 }), weights };
}

/**
 * The sustained fp32 rate of an encoder's weight products alone (`encoderProductsModel`, m rows a
 * run), run again and again for `seconds`: all their FLOPs over all that time, in GFLOP/s. It is the
 * rate extraction would hold if everything but these products took no time, measured as extraction
 * is (a pass of seconds, intermediate tensors in ONNX Runtime's arena); a single product's fastest
 * run (`measureMatmulRate`) is a burst that no workload of seconds holds on a shared host.
 */
export async function measureEncoderProductsRate(shape: EncoderShape, { m = 512, seconds = 5, threads = availableParallelism() }: { m?: number; seconds?: number; threads?: number } = {}): Promise<number> {
  const session = await ort.InferenceSession.create(encoderProductsModel(shape).model, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1 });
  try {
    const A = new ort.Tensor('float32', Float32Array.from({ length: m * shape.hidden }, (_, i) => Math.cos(i)), [m, shape.hidden]);
    await session.run({ A });
    let runs = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      await session.run({ A });
      runs++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    }
    return (runs * m * productFlopsPerToken(shape)) / elapsed / 1e9;
  } finally {
    await session.release();
  }
}
