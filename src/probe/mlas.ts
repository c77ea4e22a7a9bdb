import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Tensor } from 'onnxruntime-node';
import { singleNodeModel } from '../core/onnx.js';

/** What this module uses of onnxruntime-node's native binding: a session that loads a model and runs it synchronously. */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, offset: number, length: number, options: object): void;
  run(feeds: Record<string, Tensor>, fetches: Record<string, Tensor>, options: object): unknown;
}
interface NativeBinding {
  initOrt(): void;
  binding: { InferenceSession: new () => NativeSession };
}

// Multiply-adds, as wasm counts them, from which a product goes to MLAS. XNNPACK pads the output
// columns to a multiple of 8, so one column costs it as much as eight (3,000 × 769 · 769 × 1: wasm
// 2.7 ms, MLAS 0.25–0.37). A call into ONNX Runtime costs 50–80 µs from the main thread, so small
// plain products stay on wasm (100³: wasm 90–175 µs, MLAS 110–160); wasm transposes a factor
// naively, so transposed products go sooner (64³ with Aᵀ: wasm 360–415 µs, MLAS 73–119).
const MIN_WORK = 1 << 20;
const MIN_WORK_TRANSPOSED = 1 << 16;

let native: NativeBinding | undefined;
const sessions = new Map<string, NativeSession>();

/**
 * Routes the wasm backend's matrix products to ONNX Runtime's MLAS GEMM, the kernel the encoder
 * already runs on; every other op stays on wasm. tfjs-wasm's XNNPACK runs on one thread with
 * 128-bit SIMD: the probes' products ran at 10–20 GFLOP/s there and 17–48 on one thread of MLAS
 * (AVX2, measured on the EPYC host), so the probes are still tfjs probes, on a faster product.
 *
 * The product reads its factors where tfjs-wasm keeps them (views of the wasm heap, no copies)
 * and writes into the output tfjs allocated. It goes through onnxruntime-node's native binding,
 * whose `run` is synchronous (the public `InferenceSession.run` only wraps it in a promise): tfjs
 * kernels are synchronous. Returns false, changing nothing, when that binding cannot load.
 * Batched products and small ones keep wasm's kernel.
 */
export function routeProductsToMlas(): boolean {
  if (native) return true;
  try {
    const binding = createRequire(import.meta.url)('onnxruntime-node/dist/binding.js') as NativeBinding;
    binding.initOrt();
    if (typeof binding.binding?.InferenceSession !== 'function') return false;
    native = binding;
    session(false, false); // fails here, not inside a product, if this binding cannot load a model
  } catch {
    native = undefined;
    return false;
  }
  const wasmProduct = tf.getKernel('BatchMatMul', 'wasm');
  if (!wasmProduct) throw new Error('tfjs-backend-wasm is not loaded; import it before routing its products');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...wasmProduct,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const backend = args.backend as BackendWasm;
      const [aRows, aCols] = a.shape.slice(-2);
      const [bRows, bCols] = b.shape.slice(-2);
      const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
      const n = transposeB ? bRows : bCols;
      const leadA = a.shape.slice(0, -2);
      const leadB = b.shape.slice(0, -2);
      const batched = [...leadA, ...leadB].some((d) => d !== 1);
      if (batched || a.dtype !== 'float32' || b.dtype !== 'float32' || m * k * Math.ceil(n / 8) * 8 < (transposeA || transposeB ? MIN_WORK_TRANSPOSED : MIN_WORK) || k !== (transposeB ? bCols : bRows)) return wasmProduct.kernelFunc(args);
      const out = backend.makeOutput([...(leadA.length >= leadB.length ? leadA : leadB), m, n], 'float32'); // allocate first: it may grow the heap, which moves every view of it
      const view = (t: tf.TensorInfo, rows: number, cols: number) => new Tensor('float32', backend.typedArrayFromHeap(t) as Float32Array, [rows, cols]);
      session(transposeA, transposeB).run({ A: view(a, aRows, aCols), B: view(b, bRows, bCols) }, { Y: view(out, m, n) }, {});
      return out;
    },
  });
  return true;
}

/** A session of one MatMul (or Gemm, for transposed factors) with named dimensions, made once per thread. */
function session(transposeA: boolean, transposeB: boolean): NativeSession {
  const key = `${transposeA}/${transposeB}`;
  let made = sessions.get(key);
  if (!made) {
    const plain = !transposeA && !transposeB;
    const model = singleNodeModel({
      op: plain ? 'MatMul' : 'Gemm',
      inputs: { A: transposeA ? ['k', 'm'] : ['m', 'k'], B: transposeB ? ['n', 'k'] : ['k', 'n'] },
      output: ['Y', ['m', 'n']],
      intAttributes: plain ? {} : { transA: Number(transposeA), transB: Number(transposeB) },
      opset: 13,
    });
    made = new native!.binding.InferenceSession();
    // A probe worker thread takes one core, as wasm did; the main thread (a notebook, one fit) takes
    // them all, without spinning: a pool thread spinning after each product took the core from the
    // JavaScript between products (one MLP fit: 6.1 s spinning, 2.6 s not).
    const threads = isMainThread ? availableParallelism() : 1;
    made.loadModel(model.buffer, model.byteOffset, model.byteLength, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } });
    sessions.set(key, made);
  }
  return made;
}
