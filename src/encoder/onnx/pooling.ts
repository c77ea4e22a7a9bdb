import { DATA_TYPE, type NodeSpec } from '../../core/onnx.js';
import type { GraphEdits, OnnxGraph } from './graph.js';

/** The graph input of pooling weights, [batch, rows, seq]: row r of text b weighs its tokens. */
export const POOLING_WEIGHTS = 'layerwise_pooling_weights';

/** What a batch feeds that input: `weights` is `[batch, rows, seq]`, row-major. */
export interface PoolingWeights {
  rows: number;
  weights: Float32Array;
}

/** What pooling adds to a tapped graph, and the names of the pooled outputs (one per hidden state). */
export interface PoolingEdits extends Required<Pick<GraphEdits, 'inputs' | 'added'>> {
  pooled: string[];
}

/**
 * Pools every hidden state inside the graph: pooled = weights · hidden, one batched MatMul per
 * hidden state ([batch, rows, seq] · [batch, seq, hidden] → [batch, rows, hidden]). The mean, first
 * or last token of a span is a row of weights (1/n over the span, or a single 1), so sentence and
 * word vectors leave ONNX Runtime a row each instead of a token each: no copy of every token's
 * states into JavaScript, and no pooling loop there (on roberta-base, 13 hidden states of 32 × 26
 * tokens are 33 MB a batch). Weights are float32; float16 hidden states are cast to float32 first.
 */
export function poolingEdits(graph: OnnxGraph, hiddenStates: readonly string[]): PoolingEdits {
  const added: NodeSpec[] = [];
  const pooled = hiddenStates.map((state, l) => {
    let input = state;
    if (graph.float16) {
      input = `layerwise_float_${l}`;
      added.push({ op: 'Cast', inputs: [state], outputs: [input], intAttributes: { to: DATA_TYPE.float } });
    }
    const output = `layerwise_pooled_${l}`;
    added.push({ op: 'MatMul', inputs: [POOLING_WEIGHTS, input], outputs: [output] });
    return output;
  });
  return { inputs: [{ name: POOLING_WEIGHTS, spec: { type: 'float', dims: ['batch', 'rows', 'sequence'] } }], added, pooled };
}
