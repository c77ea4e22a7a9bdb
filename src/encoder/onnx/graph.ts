import { closeSync, openSync, writeSync, fsyncSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ENTRY, GRAPH, MODEL, NODE, OPERATOR_SET, TENSOR, VALUE_INFO } from '../../core/onnx.js';
import { LEN, ProtoFile, encodeVarint, fields, lengthDelimited, readString, type FieldHeader } from '../../core/protobuf.js';

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
}

export interface OnnxGraph {
  path: string;
  opset: number;
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

function decodeNode(buf: Uint8Array): OnnxNode {
  const node: OnnxNode = { name: '', scope: '', opType: '', inputs: [], outputs: [] };
  let nameScopes: string | undefined;
  for (const f of fields(buf)) {
    if (f.field === NODE.input) node.inputs.push(readString(buf, f));
    else if (f.field === NODE.output) node.outputs.push(readString(buf, f));
    else if (f.field === NODE.name) node.name = readString(buf, f);
    else if (f.field === NODE.opType) node.opType = readString(buf, f);
    else if (f.field === NODE.metadata) {
      const [key, value] = decodeEntry(buf.subarray(f.start, f.end));
      if (key === 'pkg.torch.onnx.name_scopes') nameScopes = value;
    }
  }
  node.scope = node.name.startsWith('/') || nameScopes === undefined ? node.name : scopeFromNameScopes(nameScopes) + node.name;
  return node;
}

/** An initializer's name and, for external weights, the file holding them. */
function initializerInfo(file: ProtoFile, msg: FieldHeader): { name: string; location?: string } {
  const info: { name: string; location?: string } = { name: '' };
  for (const f of file.fields(msg.start, msg.end)) {
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

function graphField(file: ProtoFile): { graph: FieldHeader; opset: number } {
  let graph: FieldHeader | undefined;
  let opset = 0;
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
    }
  }
  if (!graph) throw new Error('no graph in the file');
  return { graph, opset };
}

/** Reads the graph structure of an .onnx file; weights are skipped, never loaded. */
export function readGraph(path: string): OnnxGraph {
  const file = new ProtoFile(path);
  try {
    const { graph, opset } = graphField(file);
    const result: OnnxGraph = { path, opset, nodes: [], inputs: [], outputs: [], initializers: new Set(), externalData: [] };
    const external = new Set<string>();
    for (const f of file.fields(graph.start, graph.end)) {
      if (f.wire !== LEN) continue;
      if (f.field === GRAPH.node) result.nodes.push(decodeNode(file.read(f.start, f.length)));
      else if (f.field === GRAPH.initializer) {
        const { name, location } = initializerInfo(file, f);
        result.initializers.add(name);
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

/**
 * Copies `srcPath` to `dstPath` with extra graph outputs, streaming in chunks so memory
 * stays flat whatever the model size. Written to a temp file, then renamed.
 */
export function writeWithOutputs(srcPath: string, dstPath: string, extraOutputs: string[]): void {
  const file = new ProtoFile(srcPath);
  mkdirSync(dirname(dstPath), { recursive: true });
  const tmp = `${dstPath}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const { graph } = graphField(file);
    const appended = extraOutputs.map(untypedOutput);
    const newLength = graph.length + appended.reduce((s, a) => s + a.length, 0);
    const copy = (from: number, to: number) => {
      const chunk = 64 << 20;
      for (let pos = from; pos < to; pos += chunk) writeSync(fd, file.read(pos, Math.min(chunk, to - pos)));
    };
    copy(0, graph.pos);
    writeSync(fd, new Uint8Array([...encodeVarint(MODEL.graph * 8 + LEN), ...encodeVarint(newLength)]));
    copy(graph.start, graph.end);
    for (const a of appended) writeSync(fd, a);
    copy(graph.end, file.size);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, dstPath);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    file.close();
  }
}
