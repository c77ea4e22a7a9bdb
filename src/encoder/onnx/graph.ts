import { writeFileAtomic } from '../../core/atomic.js';
import { ATTRIBUTE, ENTRY, FLOAT16, GRAPH, MODEL, NODE, OPERATOR_SET, TENSOR, VALUE_INFO, intAttribute, nodeProto, valueInfo, type NodeSpec, type ValueSpec } from '../../core/onnx.js';
import { LEN, ProtoFile, VARINT, encodeVarint, fields, readVarint, lengthDelimited, message, readString, stringField, varintField, type FieldHeader } from '../../core/protobuf.js';

/** What tapping needs of an ONNX node: its name, module scope, op and data flow. */
export interface OnnxNode {
  name: string;
  /**
   * The module path as `/a/b.0/c/` + name: the name itself for TorchScript exports (`/encoder/layer.0/…/Add_1`);
   * for dynamo exports, whose names are flat (`node_add_3`), built from `pkg.torch.onnx.name_scopes`.
   */
  scope: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  /** A Transpose's `perm` attribute. */
  perm?: number[];
}

export interface OnnxGraph {
  path: string;
  opset: number;
  /** Operator set domains the model imports (`''` is the default one, `com.microsoft` ORT's contrib ops). */
  domains: string[];
  /** Whether any initializer is float16 (fp16 and q4f16 exports). */
  float16: boolean;
  nodes: OnnxNode[];
  inputs: string[];
  outputs: string[];
  initializers: Set<string>;
  /** Files holding external weights (`model.onnx_data`), relative to the model's folder. */
  externalData: string[];
}


function decodeEntry(buf: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const f of fields(buf)) {
    if (f.field === ENTRY.key) key = readString(buf, f);
    else if (f.field === ENTRY.value) value = readString(buf, f);
  }
  return [key, value];
}

/**
 * `['', 'encoder', 'encoder.layer.0', 'encoder.layer.0.output', 'add_3']` (a Python list literal) →
 * `/encoder/layer.0/output/`: the innermost module path, with list indices kept on their container.
 */
function scopeFromNameScopes(literal: string): string {
  const items = [...literal.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  const modules = items.slice(0, -1).filter((s) => s !== '');
  const path = modules.at(-1) ?? '';
  const parts: string[] = [];
  for (const part of path.split('.').filter(Boolean)) {
    if (/^\d+$/.test(part) && parts.length) parts[parts.length - 1] += `.${part}`;
    else parts.push(part);
  }
  return parts.length ? `/${parts.join('/')}/` : '/';
}

/** The integers of an attribute named `perm`, packed or not; undefined for any other attribute. */
function permAttribute(buf: Uint8Array): number[] | undefined {
  let name = '';
  const ints: number[] = [];
  for (const f of fields(buf)) {
    if (f.field === ATTRIBUTE.name) name = readString(buf, f);
    else if (f.field === ATTRIBUTE.ints && f.wire === VARINT) ints.push(f.length);
    else if (f.field === ATTRIBUTE.ints && f.wire === LEN) for (const g of packedVarints(buf, f)) ints.push(g);
  }
  return name === 'perm' ? ints : undefined;
}

/** The varints of a packed repeated field. */
function* packedVarints(buf: Uint8Array, f: FieldHeader): Generator<number> {
  let pos = f.start;
  while (pos < f.end) {
    const [value, next] = readVarint(buf, pos);
    yield value;
    pos = next;
  }
}

function decodeNode(buf: Uint8Array): OnnxNode {
  const node: OnnxNode = { name: '', scope: '', opType: '', inputs: [], outputs: [] };
  let nameScopes: string | undefined;
  for (const f of fields(buf)) {
    if (f.field === NODE.input) node.inputs.push(readString(buf, f));
    else if (f.field === NODE.output) node.outputs.push(readString(buf, f));
    else if (f.field === NODE.name) node.name = readString(buf, f);
    else if (f.field === NODE.opType) node.opType = readString(buf, f);
    else if (f.field === NODE.attribute) {
      const perm = permAttribute(buf.subarray(f.start, f.end));
      if (perm) node.perm = perm;
    }
    else if (f.field === NODE.metadata) {
      const [key, value] = decodeEntry(buf.subarray(f.start, f.end));
      if (key === 'pkg.torch.onnx.name_scopes') nameScopes = value;
    }
  }
  node.scope = node.name.startsWith('/') || nameScopes === undefined ? node.name : scopeFromNameScopes(nameScopes) + node.name;
  return node;
}

/** An initializer's name and, for external weights, the file holding them. */
function initializerInfo(file: ProtoFile, msg: FieldHeader): { name: string; dataType: number; location?: string } {
  const info: { name: string; dataType: number; location?: string } = { name: '', dataType: 0 };
  for (const f of file.fields(msg.start, msg.end)) {
    if (f.field === TENSOR.dataType && f.wire === VARINT) info.dataType = f.length;
    if (f.wire !== LEN) continue;
    if (f.field === TENSOR.name) info.name = new TextDecoder().decode(file.read(f.start, f.length));
    else if (f.field === TENSOR.externalData) {
      const [key, value] = decodeEntry(file.read(f.start, f.length));
      if (key === 'location') info.location = value;
    }
  }
  return info;
}

/** The name field of a small message (ValueInfoProto) or of a TensorProto whose payload is skipped. */
function messageName(file: ProtoFile, msg: FieldHeader, nameField: number): string {
  for (const f of file.fields(msg.start, msg.end)) {
    if (f.field === nameField && f.wire === LEN) return new TextDecoder().decode(file.read(f.start, f.length));
  }
  return '';
}

function graphField(file: ProtoFile): { graph: FieldHeader; opset: number; domains: string[] } {
  let graph: FieldHeader | undefined;
  let opset = 0;
  const domains: string[] = [];
  for (const f of file.fields(0, file.size)) {
    if (f.field === MODEL.graph && f.wire === LEN) graph = f;
    else if (f.field === MODEL.opsetImport && f.wire === LEN) {
      const buf = file.read(f.start, f.length);
      let domain = '';
      let version = 0;
      for (const g of fields(buf)) {
        if (g.field === OPERATOR_SET.domain) domain = readString(buf, g);
        else if (g.field === OPERATOR_SET.version) version = g.length;
      }
      if (domain === '' || domain === 'ai.onnx') opset = version;
      domains.push(domain === 'ai.onnx' ? '' : domain);
    }
  }
  if (!graph) throw new Error('no graph in the file');
  return { graph, opset, domains };
}

/** Each tensor's readers: the indices of the nodes taking it as an input. */
export function consumersOf(graph: OnnxGraph): Map<string, number[]> {
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((n, i) => n.inputs.forEach((t) => {
    const readers = consumers.get(t);
    if (readers) readers.push(i);
    else consumers.set(t, [i]);
  }));
  return consumers;
}

/** Reads the graph structure of an .onnx file; weights are skipped, never loaded. */
export function readGraph(path: string): OnnxGraph {
  const file = new ProtoFile(path);
  try {
    const { graph, opset, domains } = graphField(file);
    const result: OnnxGraph = { path, opset, domains, float16: false, nodes: [], inputs: [], outputs: [], initializers: new Set(), externalData: [] };
    const external = new Set<string>();
    for (const f of file.fields(graph.start, graph.end)) {
      if (f.wire !== LEN) continue;
      if (f.field === GRAPH.node) result.nodes.push(decodeNode(file.read(f.start, f.length)));
      else if (f.field === GRAPH.initializer) {
        const { name, dataType, location } = initializerInfo(file, f);
        result.initializers.add(name);
        if (dataType === FLOAT16) result.float16 = true;
        if (location) external.add(location);
      }
      else if (f.field === GRAPH.input) result.inputs.push(messageName(file, f, VALUE_INFO.name));
      else if (f.field === GRAPH.output) result.outputs.push(messageName(file, f, VALUE_INFO.name));
    }
    result.externalData = [...external];
    return result;
  } finally {
    file.close();
  }
}

/**
 * A graph output with a name and no declared type: ONNX Runtime takes type and shape from the producing
 * node, so each tap keeps its tensor's own element type (float16 in fp16 graphs, float32 elsewhere).
 */
function untypedOutput(name: string): Uint8Array {
  return lengthDelimited(GRAPH.output, lengthDelimited(VALUE_INFO.name, new TextEncoder().encode(name)));
}

/** A change to one node, made as the graph is copied; the node's other fields keep their bytes. */
export interface NodeEdit {
  /** Index among the graph's nodes, in file order. */
  node: number;
  opType?: string;
  domain?: string;
  /** Integer attributes to set, replacing any of the same name: a number (INT) or a list (INTS). */
  attributes?: Record<string, number | number[]>;
}

export interface GraphEdits {
  /** Tensors to add as graph outputs. */
  outputs: readonly string[];
  nodes?: readonly NodeEdit[];
  /** Operator set imports the edited nodes need (domain → version), added when the model lacks them. */
  opsets?: Record<string, number>;
  /** Graph inputs to add, fed at run time. */
  inputs?: ReadonlyArray<{ name: string; spec: ValueSpec }>;
  /** Nodes to add after the graph's own (so the order stays topological), reading its tensors. */
  added?: readonly NodeSpec[];
}

/** A node's bytes with `edit` applied: replaced fields dropped where they stood, their new values appended. */
function editedNode(buf: Uint8Array, edit: NodeEdit): Uint8Array {
  const attributes = edit.attributes ?? {};
  const kept = [...fields(buf)].filter((f) => {
    if (f.field === NODE.opType) return edit.opType === undefined;
    if (f.field === NODE.domain) return edit.domain === undefined;
    if (f.field !== NODE.attribute) return true;
    const attribute = buf.subarray(f.start, f.end);
    const name = [...fields(attribute)].find((g) => g.field === ATTRIBUTE.name);
    return !(name && Object.hasOwn(attributes, readString(attribute, name)));
  });
  return message(
    ...kept.map((f) => buf.subarray(f.pos, f.end)),
    ...(edit.opType === undefined ? [] : [stringField(NODE.opType, edit.opType)]),
    ...(edit.domain === undefined ? [] : [stringField(NODE.domain, edit.domain)]),
    ...Object.entries(attributes).map(([name, value]) => intAttribute(name, value)),
  );
}

/** The bytes of `file` between `start` and `end`, read in 64 MB chunks so memory stays flat. */
function* byteRange(file: ProtoFile, start: number, end: number): Generator<Uint8Array> {
  const chunk = 64 << 20;
  for (let pos = start; pos < end; pos += chunk) yield file.read(pos, Math.min(chunk, end - pos));
}

/**
 * Copies `srcPath` to `dstPath` with nodes edited and inputs, nodes and outputs added, streaming, so memory
 * stays flat whatever the model size; written atomically (`writeFileAtomic`).
 */
export function writeEditedGraph(srcPath: string, dstPath: string, { outputs, nodes = [], opsets = {}, inputs = [], added = [] }: GraphEdits): void {
  const file = new ProtoFile(srcPath);
  try {
    const { graph, domains } = graphField(file);
    const graphFields = [...file.fields(graph.start, graph.end)].filter((f) => f.wire === LEN);
    const nodeFields = graphFields.filter((f) => f.field === GRAPH.node);
    const replaced = new Map<FieldHeader, Uint8Array>();
    // An edited node's outputs may change shape (a new perm): their declared shapes (dynamo exports
    // declare every tensor's) are dropped, for ONNX Runtime to infer again.
    const reshaped = new Set<string>();
    for (const edit of nodes) {
      const f = nodeFields[edit.node];
      const bytes = file.read(f.start, f.length);
      decodeNode(bytes).outputs.forEach((t) => reshaped.add(t));
      replaced.set(f, lengthDelimited(GRAPH.node, editedNode(bytes, edit)));
    }
    // The graph's fields as byte ranges to copy, with edited nodes in place of theirs.
    const graphParts: Array<[number, number] | Uint8Array> = [];
    let from = graph.start;
    for (const f of graphFields) {
      const replacement = replaced.get(f);
      const drop = f.field === GRAPH.valueInfo && reshaped.size > 0 && reshaped.has(messageName(file, f, VALUE_INFO.name));
      if (!replacement && !drop) continue;
      graphParts.push([from, f.pos], ...(replacement ? [replacement] : []));
      from = f.end;
    }
    graphParts.push(
      [from, graph.end],
      ...added.map((node) => lengthDelimited(GRAPH.node, nodeProto(node))),
      ...inputs.map(({ name, spec }) => lengthDelimited(GRAPH.input, valueInfo(name, spec))),
      ...outputs.map(untypedOutput),
    );
    const graphLength = graphParts.reduce((sum, p) => sum + (p instanceof Uint8Array ? p.length : p[1] - p[0]), 0);
    const imports = Object.entries(opsets).filter(([domain]) => !domains.includes(domain));
    const parts: Array<[number, number] | Uint8Array> = [
      [0, graph.pos],
      Uint8Array.from([...encodeVarint(MODEL.graph * 8 + LEN), ...encodeVarint(graphLength)]),
      ...graphParts,
      [graph.end, file.size],
      ...imports.map(([domain, version]) => lengthDelimited(MODEL.opsetImport, message(stringField(OPERATOR_SET.domain, domain), varintField(OPERATOR_SET.version, version)))),
    ];
    writeFileAtomic(dstPath, (function* () {
      for (const p of parts) {
        if (p instanceof Uint8Array) yield p;
        else yield* byteRange(file, p[0], p[1]);
      }
    })());
  } finally {
    file.close();
  }
}
