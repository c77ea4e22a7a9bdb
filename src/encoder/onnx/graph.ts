import { closeSync, openSync, writeSync, fsyncSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LEN, ProtoFile, encodeVarint, fields, readString, type FieldHeader } from './protobuf.js';

/** What tapping needs of an ONNX node: its name (module scope), op and data flow. */
export interface OnnxNode {
  name: string;
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
}

// Field numbers from onnx.proto.
const MODEL_OPSET_IMPORT = 8;
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;
const FLOAT = 1;

function decodeNode(buf: Uint8Array): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', inputs: [], outputs: [] };
  for (const f of fields(buf)) {
    if (f.field === NODE_INPUT) node.inputs.push(readString(buf, f));
    else if (f.field === NODE_OUTPUT) node.outputs.push(readString(buf, f));
    else if (f.field === NODE_NAME) node.name = readString(buf, f);
    else if (f.field === NODE_OP_TYPE) node.opType = readString(buf, f);
  }
  return node;
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
    if (f.field === MODEL_GRAPH && f.wire === LEN) graph = f;
    else if (f.field === MODEL_OPSET_IMPORT && f.wire === LEN) {
      const buf = file.read(f.start, f.length);
      let domain = '';
      let version = 0;
      for (const g of fields(buf)) {
        if (g.field === 1) domain = readString(buf, g);
        else if (g.field === 2) version = g.length;
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
    const result: OnnxGraph = { path, opset, nodes: [], inputs: [], outputs: [], initializers: new Set() };
    for (const f of file.fields(graph.start, graph.end)) {
      if (f.wire !== LEN) continue;
      if (f.field === GRAPH_NODE) result.nodes.push(decodeNode(file.read(f.start, f.length)));
      else if (f.field === GRAPH_INITIALIZER) result.initializers.add(messageName(file, f, TENSOR_NAME));
      else if (f.field === GRAPH_INPUT) result.inputs.push(messageName(file, f, VALUE_INFO_NAME));
      else if (f.field === GRAPH_OUTPUT) result.outputs.push(messageName(file, f, VALUE_INFO_NAME));
    }
    return result;
  } finally {
    file.close();
  }
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(field * 8 + LEN), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** A graph output declared as a float tensor of unknown shape (ONNX Runtime infers the rest). */
function floatOutput(name: string): Uint8Array {
  const tensor = new Uint8Array([0x08, FLOAT]); // TypeProto.Tensor { elem_type: FLOAT }
  const typeProto = lengthDelimited(1, tensor); // TypeProto { tensor_type }
  const nameField = lengthDelimited(VALUE_INFO_NAME, new TextEncoder().encode(name));
  const typeField = lengthDelimited(2, typeProto);
  const msg = new Uint8Array(nameField.length + typeField.length);
  msg.set(nameField, 0);
  msg.set(typeField, nameField.length);
  return lengthDelimited(GRAPH_OUTPUT, msg);
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
    const appended = extraOutputs.map(floatOutput);
    const newLength = graph.length + appended.reduce((s, a) => s + a.length, 0);
    const copy = (from: number, to: number) => {
      const chunk = 64 << 20;
      for (let pos = from; pos < to; pos += chunk) writeSync(fd, file.read(pos, Math.min(chunk, to - pos)));
    };
    copy(0, graph.pos);
    writeSync(fd, new Uint8Array([...encodeVarint(MODEL_GRAPH * 8 + LEN), ...encodeVarint(newLength)]));
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
