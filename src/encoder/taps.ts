import { consumersOf, type OnnxGraph } from './onnx/graph.js';

/**
 * Where each activation lives in an encoder's ONNX graph, found by data flow rather than by node
 * names, so TorchScript and dynamo exports, quantized, float16 and ORT-fused graphs, prefixed scopes
 * and a shared ALBERT layer called N times are read the same way.
 */
export interface TapPlan {
  /** `hiddenStates[0]`: what layer 1 reads (embeddings, or their projection); `hiddenStates[ℓ]`: layer ℓ's output. */
  hiddenStates: string[];
  /** Per layer, the attention probabilities [batch, heads, seq, seq]. */
  attentions: string[];
  /** Embedding lookups by component (`word`, `position`, `token_type`), before they are summed. */
  components: Record<string, string>;
  /** Scope prefix of the base model, e.g. `/roberta` for a `*ForMaskedLM` export, `` for a bare one. */
  prefix: string;
}

// Ops that read only their input's shape: a path through them carries no values, so it does not
// bypass a hidden state (every layer reshapes with the input's length).
const SHAPE_OPS = new Set(['Shape', 'Size']);

const COMPONENT_NAMES: Record<string, string> = {
  word_embeddings: 'word',
  position_embeddings: 'position',
  token_type_embeddings: 'token_type',
};

/** One line naming what the graph holds instead, for errors. */
function describe(graph: OnnxGraph): string {
  const scopes = new Map<string, number>();
  for (const n of graph.nodes) {
    const top = n.scope.split('/').slice(0, 3).join('/') || '(unnamed)';
    scopes.set(top, (scopes.get(top) ?? 0) + 1);
  }
  const list = [...scopes].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([s, c]) => `${s} (${c} nodes)`);
  return `found ${graph.nodes.length} nodes in scopes ${list.join(', ')}; outputs ${graph.outputs.join(', ')}`;
}

/**
 * The residual stream: tensors every value path from `input_ids` to the graph's first output goes
 * through, in order, with their producers' node indices. Nodes are topologically sorted (ONNX
 * requires it); after the producer of a tensor on the stream runs, it is the only live tensor.
 */
function residualStream(graph: OnnxGraph): { stream: Array<{ tensor: string; at: number }>; relevant: boolean[] } {
  const { nodes } = graph;
  const sink = graph.outputs[0];
  const reached = new Set(['input_ids']);
  const forward = nodes.map((n) => {
    const hit = !SHAPE_OPS.has(n.opType) && n.inputs.some((t) => reached.has(t));
    if (hit) n.outputs.forEach((t) => reached.add(t));
    return hit;
  });
  const needed = new Set([sink]);
  const relevant = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!nodes[i].outputs.some((t) => needed.has(t))) continue;
    nodes[i].inputs.forEach((t) => needed.add(t));
    relevant[i] = forward[i];
  }
  const pending = new Map<string, number>();
  nodes.forEach((n, i) => relevant[i] && new Set(n.inputs).forEach((t) => reached.has(t) && pending.set(t, (pending.get(t) ?? 0) + 1)));
  pending.set(sink, (pending.get(sink) ?? 0) + 1);
  let live = 1; // input_ids
  const stream: Array<{ tensor: string; at: number }> = [];
  nodes.forEach((n, i) => {
    if (!relevant[i]) return;
    for (const t of new Set(n.inputs)) {
      if (!pending.has(t)) continue;
      const left = pending.get(t)! - 1;
      pending.set(t, left);
      if (left === 0) live--;
    }
    const produced = n.outputs.filter((t) => (pending.get(t) ?? 0) > 0);
    live += produced.length;
    if (live === 1 && produced.length === 1) stream.push({ tensor: produced[0], at: i });
  });
  return { stream, relevant };
}

export function findTaps(graph: OnnxGraph): TapPlan {
  if (!graph.inputs.includes('input_ids')) throw new Error(`${graph.path} has no input_ids input (inputs: ${graph.inputs.join(', ')}): layerwise reads text encoders exported with Hugging Face's input names`);
  const { stream, relevant } = residualStream(graph);
  // One attention Softmax per layer call marks where each layer's attention is; the hidden state a
  // layer reads is the last stream tensor before its Softmax (the residual branch bypasses everything
  // in between), so the embeddings output includes any projection (ELECTRA, ALBERT).
  const softmax = graph.nodes.map((n, i) => ({ n, i })).filter(({ n, i }) => relevant[i] && n.opType === 'Softmax');
  if (softmax.length === 0) throw new Error(`no encoder layers found in ${graph.path} (no attention Softmax between input_ids and ${graph.outputs[0]}; ORT-fused Attention nodes hide it: use the unfused export): ${describe(graph)}`);
  const before = softmax.map(({ i }) => stream.filter((s) => s.at < i).length);
  if (before[0] === 0) throw new Error(`cannot find the embeddings output feeding layer 1 in ${graph.path}: ${describe(graph)}`);
  const hiddenStates = before.map((b) => stream[b - 1].tensor);
  // Layers repeat one structure, so layer L's output sits as far after its Softmax as every other layer's.
  const offsets = before.slice(1).map((b, l) => b - 1 - before[l]);
  const offset = offsets.length > 0 ? offsets[0] : lastLayerOffset(graph, stream, before[0], softmax[0].n.scope);
  if (offsets.some((o) => o !== offset) || offset < 0) throw new Error(`the ${softmax.length} attention layers of ${graph.path} differ in structure (outputs at ${offsets.join(', ')} steps after their Softmax), so the last layer's output cannot be placed: ${describe(graph)}`);
  const last = stream[before[before.length - 1] + offset];
  if (!last) throw new Error(`cannot find the output of encoder layer ${softmax.length} in ${graph.path}: ${describe(graph)}`);
  hiddenStates.push(last.tensor);

  const components: Record<string, string> = {};
  let prefix = '';
  const consumers = consumersOf(graph);
  for (const node of graph.nodes) {
    if (node.opType !== 'Gather' || !graph.initializers.has(node.inputs[0])) continue;
    const m = /^(.*?)\/embeddings?\/([A-Za-z_]+)\/[^/]*$/.exec(node.scope);
    if (!m) continue;
    // A quantized lookup is followed by DequantizeLinear: its output is the float vector.
    const dequantize = (consumers.get(node.outputs[0]) ?? []).map((c) => graph.nodes[c]).find((c) => c.opType === 'DequantizeLinear');
    components[COMPONENT_NAMES[m[2]] ?? m[2]] = dequantize ? dequantize.outputs[0] : node.outputs[0];
    if (m[2] === 'word_embeddings') prefix = m[1];
  }
  return { hiddenStates, attentions: softmax.map(({ n }) => n.outputs[0]), components, prefix };
}

/**
 * With a single layer there is no other layer to compare with: its output is the last stream tensor
 * produced inside the layer's own module scope (`…/layer.0/`).
 */
function lastLayerOffset(graph: OnnxGraph, stream: Array<{ tensor: string; at: number }>, first: number, softmaxScope: string): number {
  const layer = /^(.*?\/[A-Za-z_]+\.\d+)(?:_\d+)?\//.exec(softmaxScope)?.[1];
  if (!layer) return -1;
  let found = -1;
  stream.forEach((s, k) => {
    if (k >= first && graph.nodes[s.at].scope.startsWith(`${layer}/`)) found = k - first;
  });
  return found;
}
