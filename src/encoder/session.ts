import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { tappedGraph } from './cache.js';
import { readGraph, type OnnxGraph } from './onnx/graph.js';
import { findTaps, type TapPlan } from './taps.js';

/** Raw outputs of one padded batch: each tensor row-major, `[batch, seq, dim]` or `[batch, heads, seq, seq]`. */
export interface BatchOutputs {
  batch: number;
  seqLen: number;
  hiddenStates: Map<number, Float32Array>;
  attentions: Float32Array[];
  components: Record<string, Float32Array>;
}

export interface RunRequest {
  /** Hidden state indices to fetch (0 = embeddings output). */
  layers: number[];
  attentions?: boolean;
  components?: boolean;
}

/** Bump when the way taps are written changes, so cached tapped graphs are rebuilt. */
const TAP_FORMAT = 1;

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
 * kernels), and everything (attention probabilities and embedding components too).
 */
export class TappedModel {
  readonly taps: TapPlan;
  readonly inputNames: string[];
  private readonly sessions = new Map<'hidden' | 'full', Promise<ort.InferenceSession>>();

  constructor(
    readonly modelPath: string,
    private readonly tapDir: string,
    private readonly threads = availableParallelism(),
  ) {
    const graph = readModelGraph(modelPath);
    this.taps = findTaps(graph);
    this.inputNames = graph.inputs.filter((name) => !graph.initializers.has(name));
  }

  get numHiddenStates(): number {
    return this.taps.hiddenStates.length;
  }

  private session(variant: 'hidden' | 'full'): Promise<ort.InferenceSession> {
    let session = this.sessions.get(variant);
    if (!session) {
      const outputs = variant === 'hidden' ? this.taps.hiddenStates : [...this.taps.hiddenStates, ...this.taps.attentions, ...Object.values(this.taps.components)];
      const tapped = tappedGraph(this.modelPath, outputs, this.tapDir, TAP_FORMAT, join(dirname(this.tapDir), 'hashes'));
      session = ort.InferenceSession.create(tapped, {
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
      }).catch((err: Error) => {
        throw new Error(`ONNX Runtime cannot load ${this.modelPath} (${err.message.split('\n')[0]}): the file may be corrupt or use unsupported operators`);
      });
      this.sessions.set(variant, session);
    }
    return session;
  }

  /** Runs one right-padded batch of token ids. */
  async run(batchIds: number[][], padId: number, request: RunRequest): Promise<BatchOutputs> {
    const batch = batchIds.length;
    const seqLen = Math.max(...batchIds.map((ids) => ids.length));
    const ids = new BigInt64Array(batch * seqLen).fill(BigInt(padId));
    const mask = new BigInt64Array(batch * seqLen);
    batchIds.forEach((row, b) => row.forEach((id, t) => {
      ids[b * seqLen + t] = BigInt(id);
      mask[b * seqLen + t] = 1n;
    }));
    const dims = [batch, seqLen];
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) {
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, dims);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, dims);
      else if (name === 'token_type_ids') feeds[name] = new ort.Tensor('int64', new BigInt64Array(batch * seqLen), dims);
      else if (name === 'position_ids') feeds[name] = new ort.Tensor('int64', BigInt64Array.from({ length: batch * seqLen }, (_, i) => BigInt(i % seqLen)), dims);
      else throw new Error(`the model needs an input "${name}" that layerwise does not know how to fill`);
    }
    const full = Boolean(request.attentions || request.components);
    if (request.attentions && this.taps.attentions.length === 0) throw new Error('this model\'s graph has no attention probabilities (no Softmax inside the attention scopes); run without attentions');
    const fetches = [
      ...request.layers.map((l) => this.taps.hiddenStates[l]),
      ...(request.attentions ? this.taps.attentions : []),
      ...(request.components ? Object.values(this.taps.components) : []),
    ];
    const session = await this.session(full ? 'full' : 'hidden');
    const out = await session.run(feeds, fetches);
    const data = (name: string) => out[name].data as Float32Array;
    const result: BatchOutputs = {
      batch,
      seqLen,
      hiddenStates: new Map(request.layers.map((l) => [l, data(this.taps.hiddenStates[l])])),
      attentions: request.attentions ? this.taps.attentions.map(data) : [],
      components: request.components ? Object.fromEntries(Object.entries(this.taps.components).map(([k, t]) => [k, data(t)])) : {},
    };
    return result;
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}
