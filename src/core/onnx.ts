import { lengthDelimited, message, stringField, varintField } from './protobuf.js';

// Field numbers of onnx.proto's messages (github.com/onnx/onnx, onnx/onnx.proto): enough to read a
// model's graph, write a one-node model and add nodes to a graph, without a protobuf library.
export const MODEL = { irVersion: 1, graph: 7, opsetImport: 8 } as const;
export const OPERATOR_SET = { domain: 1, version: 2 } as const;
export const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
export const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7, metadata: 9 } as const;
export const ATTRIBUTE = { name: 1, int: 3, ints: 8, type: 20 } as const;
export const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13 } as const;
export const VALUE_INFO = { name: 1, type: 2 } as const;
export const ENTRY = { key: 1, value: 2 } as const;
const TYPE = { tensor: 1 } as const;
const TENSOR_TYPE = { elementType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { value: 1, param: 2 } as const;
export const DATA_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6 } as const; // TensorProto.DataType
export const FLOAT16 = 10; // TensorProto.DataType
const ATTRIBUTE_TYPE = { int: 2, ints: 7 } as const; // AttributeProto.AttributeType

/** An element type a one-node model's tensors may have. */
export type ElementType = keyof typeof DATA_TYPE;

/** A tensor's dimensions: a number is a fixed size, a string names a size bound at run time. */
export type Dims = (number | string)[];

/** A graph input or output: its dimensions (float32 elements), or its element type and dimensions. */
export type ValueSpec = Dims | { type: ElementType; dims: Dims };

/**
 * A constant input, written into the model as an initializer (ONNX Runtime prepacks constant
 * MatMul weights, as it does an exported encoder's). Its bytes are written as they lie in memory:
 * little-endian, as on every platform onnxruntime-node ships for.
 */
export interface Initializer {
  type: ElementType;
  dims: number[];
  data: Float32Array | Uint8Array | Int8Array | Int32Array;
}

/** One operator of the default domain. */
export interface SingleNode {
  op: string;
  /** The node's inputs in order, name → graph input or initializer. */
  inputs: Record<string, ValueSpec | Initializer>;
  output: [string, ValueSpec];
  intAttributes?: Record<string, number>;
  opset: number;
}

const isInitializer = (input: ValueSpec | Initializer): input is Initializer => 'data' in input;

/** ValueInfoProto of a tensor. */
export function valueInfo(name: string, spec: ValueSpec): Uint8Array {
  const { type, dims } = Array.isArray(spec) ? { type: 'float' as const, dims: spec } : spec;
  const dimensions = dims.map((dim) => lengthDelimited(SHAPE.dim, typeof dim === 'number' ? varintField(DIMENSION.value, dim) : stringField(DIMENSION.param, dim)));
  const tensorType = message(varintField(TENSOR_TYPE.elementType, DATA_TYPE[type]), lengthDelimited(TENSOR_TYPE.shape, message(...dimensions)));
  return message(stringField(VALUE_INFO.name, name), lengthDelimited(VALUE_INFO.type, lengthDelimited(TYPE.tensor, tensorType)));
}

/** TensorProto of a constant, its values as raw_data. */
function tensor(name: string, { type, dims, data }: Initializer): Uint8Array {
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (data.length !== size) throw new RangeError(`initializer "${name}" has ${data.length} values, its dimensions [${dims.join(', ')}] ask for ${size}`);
  return message(
    ...dims.map((dim) => varintField(TENSOR.dims, dim)),
    varintField(TENSOR.dataType, DATA_TYPE[type]),
    stringField(TENSOR.name, name),
    lengthDelimited(TENSOR.rawData, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
  );
}

/** A node's attribute field holding a non-negative integer (INT) or a list of them (INTS). */
export function intAttribute(name: string, value: number | readonly number[]): Uint8Array {
  const values = typeof value === 'number' ? varintField(ATTRIBUTE.int, value) : message(...value.map((v) => varintField(ATTRIBUTE.ints, v)));
  return lengthDelimited(NODE.attribute, message(stringField(ATTRIBUTE.name, name), values, varintField(ATTRIBUTE.type, typeof value === 'number' ? ATTRIBUTE_TYPE.int : ATTRIBUTE_TYPE.ints)));
}

/** One operator, as a graph adds it: inputs and outputs name tensors. */
export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  intAttributes?: Record<string, number>;
}

/** NodeProto of an operator of the default domain. */
export function nodeProto({ op, inputs, outputs, intAttributes = {} }: NodeSpec): Uint8Array {
  return message(
    ...inputs.map((name) => stringField(NODE.input, name)),
    ...outputs.map((name) => stringField(NODE.output, name)),
    stringField(NODE.opType, op),
    ...Object.entries(intAttributes).map(([name, value]) => intAttribute(name, value)),
  );
}

/** A graph of operators of the default domain. */
export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  /** The tensors the nodes read that no node makes: graph inputs (fed at run time) or initializers. */
  inputs: Record<string, ValueSpec | Initializer>;
  outputs: Record<string, ValueSpec>;
  opset: number;
}

/** The bytes of an ONNX model (ONNX Runtime loads them from memory). */
export function graphModel({ name, nodes, inputs, outputs, opset }: GraphSpec): Uint8Array {
  const entries = Object.entries(inputs);
  const graph = message(
    ...nodes.map((node) => lengthDelimited(GRAPH.node, nodeProto(node))),
    stringField(GRAPH.name, name),
    ...entries.flatMap(([input, spec]) => (isInitializer(spec) ? [lengthDelimited(GRAPH.initializer, tensor(input, spec))] : [])),
    ...entries.flatMap(([input, spec]) => (isInitializer(spec) ? [] : [lengthDelimited(GRAPH.input, valueInfo(input, spec))])),
    ...Object.entries(outputs).map(([output, spec]) => lengthDelimited(GRAPH.output, valueInfo(output, spec))),
  );
  return message(varintField(MODEL.irVersion, 8), lengthDelimited(MODEL.opsetImport, varintField(OPERATOR_SET.version, opset)), lengthDelimited(MODEL.graph, graph));
}

/** The bytes of an ONNX model whose graph is one node. */
export function singleNodeModel({ op, inputs, output, intAttributes = {}, opset }: SingleNode): Uint8Array {
  return graphModel({ name: op, nodes: [{ op, inputs: Object.keys(inputs), outputs: [output[0]], intAttributes }], inputs, outputs: { [output[0]]: output[1] }, opset });
}
