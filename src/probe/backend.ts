import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { forcedBackend } from '../core/config.js';
import { setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { routeProductsToMlas } from './mlas.js';

export type BackendName = 'tensorflow' | 'wasm-mlas' | 'wasm' | 'cpu';
const BACKENDS: BackendName[] = ['tensorflow', 'wasm-mlas', 'wasm', 'cpu'];

let chosen: Promise<BackendName> | undefined;

/**
 * Picks the fastest tfjs backend available, once per thread, and returns its name:
 * the native `tensorflow` backend when the real `@tensorflow/tfjs-node` is installed, else
 * `wasm-mlas` (tfjs's `wasm` backend with its matrix products in ONNX Runtime's MLAS: mlas.ts),
 * else `wasm` (XNNPACK with SIMD; tfjs disables wasm threads in Node), else `cpu` (plain JS).
 * `LAYERWISE_BACKEND=tensorflow|wasm-mlas|wasm|cpu` forces one. Later calls return the first answer.
 */
export function initBackend(): Promise<BackendName> {
  chosen ??= choose();
  return chosen;
}

async function choose(): Promise<BackendName> {
  tf.enableProdMode(); // also silences tfjs's "install tfjs-node" banner on the cpu backend
  const forced = forcedBackend();
  if (forced !== undefined && !(BACKENDS as string[]).includes(forced)) {
    throw new Error(`LAYERWISE_BACKEND=${forced} is not a backend; use ${BACKENDS.join(', ')}`);
  }
  const order: BackendName[] = forced ? [forced as BackendName] : BACKENDS;
  for (const name of order) {
    if (await tryBackend(name)) return name;
  }
  throw new Error(`the tfjs backend "${forced}" could not start${forced === 'tensorflow' ? ' (it needs the real @tensorflow/tfjs-node installed)' : forced === 'wasm-mlas' ? " (it needs onnxruntime-node's native binding)" : ''}; unset LAYERWISE_BACKEND to fall back automatically`);
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // node_modules/@tensorflow/tfjs-node may be danfojs's alias of plain tfjs: only the real
      // native binding registers a backend called "tensorflow".
      const nativeModule = '@tensorflow/tfjs-node';
      await import(nativeModule);
      if (!tf.findBackend('tensorflow')) return false;
    }
    // wasm-mlas is tfjs's wasm backend once its products are routed; nothing unroutes them in this thread.
    if (name === 'wasm-mlas' && !routeProductsToMlas()) return false;
    const tfjsName = name === 'wasm-mlas' ? 'wasm' : name;
    if (tfjsName === 'wasm') setWasmPaths(`${wasmDir()}/`);
    return (await tf.setBackend(tfjsName)) && tf.getBackend() === tfjsName;
  } catch {
    return false;
  }
}

/**
 * A float32 tensor's values, without copying them where the backend allows (a view of the wasm
 * heap): read them at once, before the next tfjs call, which may grow the heap and detach the view.
 * Elsewhere a copy (`dataSync`). For the probes' inner loops, where a copy per step was garbage.
 */
export function peek(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as Partial<BackendWasm>;
  return (backend.typedArrayFromHeap ? backend.typedArrayFromHeap(t) : t.dataSync()) as Float32Array;
}

/**
 * The values of the tensor `build` makes, its intermediates freed. Not `tidy(() => t.dataSync())`:
 * tidy walks what it returns looking for tensors, and walked a typed array's every element into a
 * Set (0.3 s of a 32-class unit's 7 s, in its predictions).
 */
export function valuesOf(build: () => tf.Tensor): Float32Array {
  const t = tf.tidy(build);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/** The folder with the backend's .wasm binaries (next to its Node entry point). */
function wasmDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
}
