import type { OnnxGraph, OnnxNode } from './onnx/graph.js';

/**
 * Where each activation lives in an encoder's ONNX graph, found structurally: by module
 * scope (the exporter names nodes `/…/encoder/layer.3/output/LayerNorm/Add_1`) and data
 * flow (the tensor that leaves a scope), never by one hard-coded node name.
 */
export interface TapPlan {
  /** `hiddenStates[0]`: the embeddings block's output; `hiddenStates[ℓ]`: layer ℓ's output. */
  hiddenStates: string[];
  /** Per layer, the attention probabilities [batch, heads, seq, seq]; empty if the graph has none. */
  attentions: string[];
  /** Embedding lookups by component (`token`, `position`, `token_type`), before they are summed. */
  components: Record<string, string>;
  /** Scope prefix of the base model, e.g. `/roberta` for a `*ForMaskedLM` export, `` for a bare one. */
  prefix: string;
}

// `…/encoder/layer.3/` (BERT, RoBERTa, XLM-R), `…/transformer/layer.3/` (DistilBERT), `…/layers.3/`.
const LAYER_SCOPE = /^(.*?\/(?:[A-Za-z_]+\/)?(?:layer|layers|block|blocks))[._](\d+)\//;
// Int8 exports quantize activations right after they are produced (`<tensor>_QuantizeLinear`,
// named inside the producer's scope); the float tensor before them is the activation.
const QUANTIZE_OPS = new Set(['DynamicQuantizeLinear', 'QuantizeLinear']);

const COMPONENT_NAMES: Record<string, string> = {
  word_embeddings: 'word',
  position_embeddings: 'position',
  token_type_embeddings: 'token_type',
};

/** One line naming what the graph holds instead, for errors. */
function describe(graph: OnnxGraph): string {
  const scopes = new Map<string, number>();
  for (const n of graph.nodes) {
    const top = n.name.split('/').slice(0, 3).join('/') || '(unnamed)';
    scopes.set(top, (scopes.get(top) ?? 0) + 1);
  }
  const list = [...scopes].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([s, c]) => `${s} (${c} nodes)`);
  return `found ${graph.nodes.length} nodes in scopes ${list.join(', ')}; outputs ${graph.outputs.join(', ')}`;
}

export function findTaps(graph: OnnxGraph): TapPlan {
  // Group nodes by layer scope; the stack with the most layers is the encoder.
  const stacks = new Map<string, Map<number, number[]>>();
  graph.nodes.forEach((node, index) => {
    const m = LAYER_SCOPE.exec(node.name);
    if (!m) return;
    const stackScope = m[1];
    const layers = stacks.get(stackScope) ?? new Map<number, number[]>();
    const layer = Number(m[2]);
    layers.set(layer, [...(layers.get(layer) ?? []), index]);
    stacks.set(stackScope, layers);
  });
  const [stackScope, layers] = [...stacks].sort((a, b) => b[1].size - a[1].size)[0] ?? [];
  if (!stackScope || !layers) throw new Error(`no encoder layers found in ${graph.path} (no node scope like /encoder/layer.0/): ${describe(graph)}`);
  const count = layers.size;
  for (let l = 0; l < count; l++) {
    if (!layers.has(l)) throw new Error(`encoder layers in ${graph.path} are not numbered 0…${count - 1} (layer ${l} missing): ${describe(graph)}`);
  }
  const layerOf = new Map<number, number>();
  layers.forEach((nodes, l) => nodes.forEach((i) => layerOf.set(i, l)));

  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((node, i) => {
    for (const t of node.outputs) producer.set(t, i);
    for (const t of node.inputs) if (t) consumers.set(t, [...(consumers.get(t) ?? []), i]);
  });
  const graphOutputs = new Set(graph.outputs);
  const inLayer = (i: number | undefined, l: number) => i !== undefined && layerOf.get(i) === l;

  // A layer's output: the tensor produced inside its scope and consumed outside it, the
  // last such in topological order (shape bookkeeping that leaks out comes earlier).
  const hiddenStates: string[] = [];
  for (let l = 0; l < count; l++) {
    const exits: Array<{ tensor: string; at: number }> = [];
    for (const i of layers.get(l)!) {
      for (const t of graph.nodes[i].outputs) {
        const outside = (consumers.get(t) ?? []).some((c) => !inLayer(c, l)) || graphOutputs.has(t);
        if (outside && !QUANTIZE_OPS.has(graph.nodes[i].opType)) exits.push({ tensor: t, at: i });
      }
    }
    const next = exits.filter(({ tensor }) => l === count - 1 || (consumers.get(tensor) ?? []).some((c) => inLayer(c, l + 1)));
    const chosen = next.sort((a, b) => b.at - a.at)[0];
    if (!chosen) throw new Error(`cannot find the output of encoder layer ${l} in ${graph.path}: ${describe(graph)}`);
    hiddenStates.push(chosen.tensor);
  }

  // The embeddings output: what layer 0 reads from the embeddings block.
  const intoFirst = new Set<string>();
  for (const i of layers.get(0)!) {
    for (const t of graph.nodes[i].inputs) {
      const p = producer.get(t);
      if (p === undefined || inLayer(p, 0)) continue;
      // Through a quantize step back to the float tensor it reads.
      const source = QUANTIZE_OPS.has(graph.nodes[p].opType) ? graph.nodes[p].inputs[0] : t;
      const sourceProducer = producer.get(source);
      if (sourceProducer !== undefined && /\/embeddings?\//.test(graph.nodes[sourceProducer].name)) intoFirst.add(source);
    }
  }
  const embeddings = [...intoFirst].sort((a, b) => producer.get(b)! - producer.get(a)!)[0];
  if (!embeddings) throw new Error(`cannot find the embeddings output feeding layer 0 in ${graph.path}: ${describe(graph)}`);
  hiddenStates.unshift(embeddings);
  const embeddingsNode = graph.nodes[producer.get(embeddings)!].name;
  const prefix = embeddingsNode.slice(0, embeddingsNode.search(/\/embeddings?\//));

  const attentions: string[] = [];
  for (let l = 0; l < count; l++) {
    const softmax = layers.get(l)!.map((i) => graph.nodes[i]).filter((n) => n.opType === 'Softmax' && /attention/i.test(n.name));
    if (softmax.length === 1) attentions.push(softmax[0].outputs[0]);
  }

  const components: Record<string, string> = {};
  for (const node of graph.nodes as OnnxNode[]) {
    if (node.opType !== 'Gather' || !graph.initializers.has(node.inputs[0])) continue;
    const m = /\/embeddings?\/([A-Za-z_]+)\/Gather/.exec(node.name);
    if (!m) continue;
    // A quantized lookup is followed by DequantizeLinear: its output is the float vector.
    const dequantize = (consumers.get(node.outputs[0]) ?? []).map((c) => graph.nodes[c]).find((c) => c.opType === 'DequantizeLinear');
    components[COMPONENT_NAMES[m[1]] ?? m[1]] = dequantize ? dequantize.outputs[0] : node.outputs[0];
  }

  return { hiddenStates, attentions: attentions.length === count ? attentions : [], components, prefix };
}
