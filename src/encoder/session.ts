import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { tappedGraph } from './cache.js';
import { readGraph, type GraphEdits, type OnnxGraph } from './onnx/graph.js';
import { keyTransposeEdits } from './onnx/key-transpose.js';
import { POOLING_WEIGHTS, poolingEdits, type PoolingEdits, type PoolingWeights } from './onnx/pooling.js';
import { findTaps, type TapPlan } from './taps.js';

/** Outputs of one padded batch, each tensor row-major: `[batch, seq, dim]`, `[batch, heads, seq, seq]` or pooled `[batch, rows, dim]`. */
export interface BatchOutputs {
  batch: number;
  seqLen: number;
  /** Every token's states, by hidden state index (for a request without pooling weights). */
  hiddenStates: Map<number, Float32Array>;
  /** Pooled rows per text: the pooling weights' rows, 0 without them. */
  rows: number;
  /** Pooled rows `[batch, rows, dim]`, by hidden state index (for a request with pooling weights). */
  pooled: Map<number, Float32Array>;
  attentions: Float32Array[];
  components: Record<string, Float32Array>;
}

export interface RunRequest {
  /** Hidden state indices to fetch (0 = embeddings output). */
  layers: number[];
  /** Pool the hidden states with these weights and fetch the pooled rows instead of every token's states. */
  pooling?: PoolingWeights;
  attentions?: boolean;
  components?: boolean;
}

/** Runs batches: one session in this thread (`TappedModel`), or several in worker threads (`SessionPool`). */
export interface BatchRunner {
  /** Batches it runs at once: more in flight only wait. */
  readonly parallelism: number;
  run(batchIds: number[][], padId: number, request: RunRequest): Promise<BatchOutputs>;
  /** Frees the sessions' memory; a later run loads them again. */
  release(): Promise<void>;
}

/** How `position_ids` are filled when a graph takes them, as the model's PyTorch code makes them. */
export type PositionRule =
  /** 0, 1, 2, … (BERT and most encoders). */
  | { kind: 'arange' }
  /** RoBERTa / XLM-R: `padding_idx + 1 + i` over real tokens, `padding_idx` on padding. */
  | { kind: 'after-padding'; paddingIdx: number };

export interface TappedModelOptions {
  threads?: number;
  positions?: PositionRule;
  /** Token ids of a short text: run once per session to check every tap's shape. */
  probeIds: number[];
  /** Padding token id for the probe run. */
  padId: number;
}

/** Bump when the way taps are written changes, so cached tapped graphs are rebuilt. */
const TAP_FORMAT = 4;

/** Every IEEE half-precision bit pattern's float32 value, built on first use (256 kB). */
let halfTable: Float32Array | undefined;
function halfValues(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      halfTable[h] = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15);
    }
  }
  return halfTable;
}

/**
 * IEEE half-precision bits to float32 (ONNX Runtime returns float16 tensors as Uint16Array in Node 20),
 * by table: computing each value took longer than running the fp16 graph (842 against 1,480 tokens/s).
 */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const table = halfValues();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** A tap's values as float32, whatever its element type in the graph. */
function asFloat32(name: string, tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return tensor.data instanceof Uint16Array ? halfToFloat(tensor.data) : Float32Array.from(tensor.data as ArrayLike<number>);
  throw new Error(`tapped tensor "${name}" is ${tensor.type}, not a float tensor: layerwise picked the wrong tensor; please report it with the model`);
}

/** Files holding a model's external weights, relative to its folder (`model.onnx_data`). */
export function externalDataFiles(path: string): string[] {
  return readModelGraph(path).externalData;
}

function readModelGraph(path: string): OnnxGraph {
  try {
    return readGraph(path);
  } catch (err) {
    throw new Error(`${path} is not a readable ONNX model (${(err as Error).message}): the file is truncated or corrupt; download or export it again`);
  }
}

/**
 * The encoder's ONNX graph with its taps added as outputs, run by ONNX Runtime. Two variants
 * are built on demand: hidden states only (so Runtime still fuses attention and LayerNorm
 * kernels), and everything (attention probabilities and embedding components too). One is loaded
 * at a time, since each holds its own copy of the weights: once the full variant is loaded it
 * answers hidden-state requests too (as fast, on exports whose attention Runtime does not fuse:
 * 681–737 against 688–730 tokens/s for roberta-base), and the hidden one is released once its
 * runs end.
 */
export class TappedModel implements BatchRunner {
  readonly parallelism = 1;
  readonly taps: TapPlan;
  readonly inputNames: string[];
  /** Width of every hidden state, read from a probe run, its own or its pool's (not from config.json, whose key varies by model). */
  hiddenSize = 0;
  private readonly externalData: string[];
  /** Node edits made in every tapped copy (`keyTransposeEdits`). */
  private readonly keyTransposes: Pick<GraphEdits, 'nodes' | 'opsets'>;
  /** Pooling inside every tapped copy: its weights input, nodes and outputs. */
  private readonly pooling: PoolingEdits;
  private readonly sessions = new Map<'hidden' | 'full', Promise<ort.InferenceSession>>();
  /** Runs in progress on each session: a replaced session is released only after its last run. */
  private readonly running = new Map<ort.InferenceSession, number>();
  private readonly replaced = new Set<ort.InferenceSession>();

  private constructor(
    readonly modelPath: string,
    readonly tapDir: string,
    readonly options: TappedModelOptions,
  ) {
    const graph = readModelGraph(modelPath);
    this.taps = findTaps(graph);
    this.inputNames = graph.inputs.filter((name) => !graph.initializers.has(name));
    this.externalData = graph.externalData;
    this.keyTransposes = keyTransposeEdits(graph);
    this.pooling = poolingEdits(graph, this.taps.hiddenStates);
    for (const file of this.externalData) {
      if (!existsSync(join(dirname(modelPath), file))) throw new Error(`${modelPath} keeps its weights in ${file}, which is missing beside it: download or copy it with the model`);
    }
  }

  /** Reads the graph, finds the taps, and checks every hidden state on a probe run. */
  static async open(modelPath: string, tapDir: string, options: TappedModelOptions): Promise<TappedModel> {
    const model = TappedModel.plan(modelPath, tapDir, options);
    await model.load();
    return model;
  }

  /** Loads the hidden-state session and checks every hidden state on its probe run. */
  async load(): Promise<void> {
    await this.session('hidden');
  }

  /** Reads the graph, finds the taps and writes the tapped copy, loading no session: for sessions that run elsewhere (SessionPool). */
  static plan(modelPath: string, tapDir: string, options: TappedModelOptions): TappedModel {
    const model = new TappedModel(resolve(modelPath), tapDir, options);
    model.tappedFile('hidden');
    return model;
  }

  get numHiddenStates(): number {
    return this.taps.hiddenStates.length;
  }

  /** Bytes of the model's files: the graph and its external weights. */
  get fileBytes(): number {
    return [this.modelPath, ...this.externalData.map((f) => join(dirname(this.modelPath), f))].reduce((sum, f) => sum + statSync(f).size, 0);
  }

  /**
   * The tapped copy of the graph, its attention keys read in place (`keyTransposeEdits`) and its
   * hidden states pooled by weights fed at run time (`poolingEdits`), cached by
   * model file and edits, in a folder of its own. External weight files are hard-linked beside it:
   * ONNX Runtime refuses weight paths that resolve outside the model's folder, symlinks included
   * (the hub cache's files are symlinks into blobs/).
   */
  tappedFile(variant: 'hidden' | 'full'): string {
    const taps = variant === 'hidden' ? this.taps.hiddenStates : [...this.taps.hiddenStates, ...this.taps.attentions, ...Object.values(this.taps.components)];
    const { inputs, added, pooled } = this.pooling;
    return tappedGraph(this.modelPath, { outputs: [...taps, ...pooled], ...this.keyTransposes, inputs, added }, this.tapDir, TAP_FORMAT, join(dirname(this.tapDir), 'hashes'), this.externalData);
  }

  private session(variant: 'hidden' | 'full'): Promise<ort.InferenceSession> {
    let session = this.sessions.get(variant) ?? this.sessions.get('full');
    if (!session) {
      session = ort.InferenceSession.create(this.tappedFile(variant), {
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: this.options.threads ?? availableParallelism(),
        interOpNumThreads: 1,
      }).catch((err: Error) => {
        throw new Error(`ONNX Runtime cannot load ${this.modelPath} (${err.message.split('\n')[0]}): the file may be corrupt or use unsupported operators`);
      }).then(async (created) => {
        await this.validate(created, variant);
        return created;
      });
      this.sessions.set(variant, session);
      const hidden = this.sessions.get('hidden');
      if (variant === 'full' && hidden) {
        this.sessions.delete('hidden');
        hidden.then((old) => (this.replaced.add(old), this.releaseIfIdle(old)), () => {}); // a failed load has nothing to release
      }
    }
    return session;
  }

  private async releaseIfIdle(session: ort.InferenceSession): Promise<void> {
    if (this.replaced.has(session) && !this.running.has(session)) {
      this.replaced.delete(session);
      await session.release();
    }
  }

  /**
   * Runs the probe text and checks each tap's shape: hidden states [batch, seq, hidden] of one width,
   * attentions [batch, heads, seq, seq] whose rows sum to 1, components [batch, seq, dim]. A tap that
   * fails is a tensor layerwise mistook for an activation: an error, never silently wrong numbers.
   */
  private async validate(session: ort.InferenceSession, variant: 'hidden' | 'full'): Promise<void> {
    const ids = this.options.probeIds;
    const n = ids.length;
    // Row 0 the mean of every token, row 1 the first token: each checked against the token states.
    const weights = new Float32Array(2 * n).fill(1 / n, 0, n);
    weights[n] = 1;
    const out = await session.run({ ...this.feeds([ids], this.options.padId), [POOLING_WEIGHTS]: new ort.Tensor('float32', weights, [1, 2, n]) });
    const fail = (name: string, role: string, dims: readonly number[], expected: string) => {
      throw new Error(`tapped tensor "${name}" (${role}) has shape [${dims.join(', ')}], expected ${expected}: layerwise picked the wrong tensor in ${this.modelPath}; please report it with the model`);
    };
    this.taps.hiddenStates.forEach((name, l) => {
      const dims = out[name].dims;
      const width = this.hiddenSize || dims[2];
      if (dims.length !== 3 || dims[0] !== 1 || dims[1] !== n || dims[2] !== width) fail(name, `hidden state ${l}`, dims, `[batch, seq, hidden] = [1, ${n}, ${width}]`);
      this.hiddenSize = width;
      const states = asFloat32(name, out[name]);
      const pooled = asFloat32(this.pooling.pooled[l], out[this.pooling.pooled[l]]);
      // float16 states: ONNX Runtime may pool the float32 values they were rounded from (2⁻¹¹ apart).
      const tolerance = out[name].type === 'float16' ? 1e-3 : 1e-4;
      for (let d = 0; d < width; d++) {
        let sum = 0;
        for (let t = 0; t < n; t++) sum += states[t * width + d];
        for (const [got, want] of [[pooled[d], sum / n], [pooled[width + d], states[d]]]) {
          if (!(Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want)))) throw new Error(`pooled hidden state ${l} is ${got} where its tokens give ${want}: layerwise's pooling nodes are wrong for ${this.modelPath}; please report it with the model`);
        }
      }
    });
    if (variant === 'hidden') return;
    this.taps.attentions.forEach((name, l) => {
      const dims = out[name].dims;
      if (dims.length !== 4 || dims[0] !== 1 || dims[2] !== n || dims[3] !== n) fail(name, `attentions of layer ${l + 1}`, dims, `[batch, heads, seq, seq] = [1, heads, ${n}, ${n}]`);
      const probs = asFloat32(name, out[name]);
      for (let row = 0; row < probs.length; row += n) {
        const sum = probs.subarray(row, row + n).reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > 1e-2) throw new Error(`tapped tensor "${name}" (attentions of layer ${l + 1}) has rows summing to ${sum.toFixed(4)}, not 1: layerwise picked the wrong tensor in ${this.modelPath}; please report it with the model`);
      }
    });
    for (const [component, name] of Object.entries(this.taps.components)) {
      const dims = out[name].dims;
      if (dims.length !== 3 || dims[0] !== 1 || dims[1] !== n) fail(name, `${component} embeddings`, dims, `[batch, seq, dim] = [1, ${n}, dim]`);
    }
  }

  /** Input tensors for right-padded token ids, as the model's own code would fill them. */
  feeds(batchIds: number[][], padId: number): Record<string, ort.Tensor> {
    const batch = batchIds.length;
    const seqLen = Math.max(...batchIds.map((ids) => ids.length));
    const ids = new BigInt64Array(batch * seqLen).fill(BigInt(padId));
    const mask = new BigInt64Array(batch * seqLen);
    const positions = new BigInt64Array(batch * seqLen);
    const rule = this.options.positions ?? { kind: 'arange' };
    batchIds.forEach((row, b) => {
      for (let t = 0; t < seqLen; t++) {
        const real = t < row.length;
        if (real) {
          ids[b * seqLen + t] = BigInt(row[t]);
          mask[b * seqLen + t] = 1n;
        }
        positions[b * seqLen + t] = BigInt(rule.kind === 'arange' ? t : real ? rule.paddingIdx + 1 + t : rule.paddingIdx);
      }
    });
    const dims = [batch, seqLen];
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) {
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, dims);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, dims);
      else if (name === 'token_type_ids') feeds[name] = new ort.Tensor('int64', new BigInt64Array(batch * seqLen), dims);
      else if (name === 'position_ids') feeds[name] = new ort.Tensor('int64', positions, dims);
      else throw new Error(`the model needs an input "${name}" that layerwise does not know how to fill`);
    }
    return feeds;
  }

  /** Runs one right-padded batch of token ids. */
  async run(batchIds: number[][], padId: number, request: RunRequest): Promise<BatchOutputs> {
    const batch = batchIds.length;
    const seqLen = Math.max(...batchIds.map((ids) => ids.length));
    const full = Boolean(request.attentions || request.components);
    const { pooling } = request;
    if (pooling && pooling.weights.length !== batch * pooling.rows * seqLen) throw new RangeError(`pooling weights hold ${pooling.weights.length} values, a batch of ${batch} × ${pooling.rows} rows × ${seqLen} tokens needs ${batch * pooling.rows * seqLen}`);
    // Without pooling, the weights are one row of zeros: the pooled outputs are not fetched.
    const weights = pooling ? new ort.Tensor('float32', pooling.weights, [batch, pooling.rows, seqLen]) : new ort.Tensor('float32', new Float32Array(batch * seqLen), [batch, 1, seqLen]);
    const fetches = [
      ...request.layers.map((l) => (pooling ? this.pooling.pooled[l] : this.taps.hiddenStates[l])),
      ...(request.attentions ? this.taps.attentions : []),
      ...(request.components ? Object.values(this.taps.components) : []),
    ];
    const session = await this.session(full ? 'full' : 'hidden');
    this.running.set(session, (this.running.get(session) ?? 0) + 1);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await session.run({ ...this.feeds(batchIds, padId), [POOLING_WEIGHTS]: weights }, fetches);
    } finally {
      const left = this.running.get(session)! - 1;
      if (left > 0) this.running.set(session, left);
      else this.running.delete(session);
      await this.releaseIfIdle(session);
    }
    const data = (name: string) => asFloat32(name, out[name]);
    return {
      batch,
      seqLen,
      rows: pooling?.rows ?? 0,
      hiddenStates: new Map(pooling ? [] : request.layers.map((l) => [l, data(this.taps.hiddenStates[l])])),
      pooled: new Map(pooling ? request.layers.map((l) => [l, data(this.pooling.pooled[l])]) : []),
      attentions: request.attentions ? this.taps.attentions.map(data) : [],
      components: request.components ? Object.fromEntries(Object.entries(this.taps.components).map(([k, t]) => [k, data(t)])) : {},
    };
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}
