import { lengthDelimited, message, stringField, varintField } from './protobuf.js';

// Field numbers of onnx.proto's messages (github.com/onnx/onnx, onnx/onnx.proto): enough to read a
// model's graph and to write a one-node model, without a protobuf library.
export const MODEL = { irVersion: 1, graph: 7, opsetImport: 8 } as const;
export const OPERATOR_SET = { domain: 1, version: 2 } as const;
export const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
export const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, metadata: 9 } as const;
export const ATTRIBUTE = { name: 1, int: 3, type: 20 } as const;
export const TENSOR = { name: 8, externalData: 13 } as const;
export const VALUE_INFO = { name: 1, type: 2 } as const;
export const ENTRY = { key: 1, value: 2 } as const;
const TYPE = { tensor: 1 } as const;
const TENSOR_TYPE = { elementType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { param: 2 } as const;
const FLOAT = 1; // TensorProto.DataType
const INT_ATTRIBUTE = 2; // AttributeProto.AttributeType

/** One operator of the default domain, float32 tensors in and out, each dimension named. */
export interface SingleNode {
  op: string;
  inputs: Record<string, string[]>; // name → dimension names
  output: [string, string[]];
  intAttributes?: Record<string, number>;
  opset: number;
}

/** The bytes of an ONNX model whose graph is one node (ONNX Runtime loads them from memory). */
export function singleNodeModel({ op, inputs, output, intAttributes = {}, opset }: SingleNode): Uint8Array {
  const tensor = (name: string, dims: string[]) =>
    message(
      stringField(VALUE_INFO.name, name),
      lengthDelimited(
        VALUE_INFO.type,
        lengthDelimited(TYPE.tensor, message(varintField(TENSOR_TYPE.elementType, FLOAT), lengthDelimited(TENSOR_TYPE.shape, message(...dims.map((dim) => lengthDelimited(SHAPE.dim, stringField(DIMENSION.param, dim))))))),
      ),
    );
  const node = message(
    ...Object.keys(inputs).map((name) => stringField(NODE.input, name)),
    stringField(NODE.output, output[0]),
    stringField(NODE.opType, op),
    ...Object.entries(intAttributes).map(([name, value]) => lengthDelimited(NODE.attribute, message(stringField(ATTRIBUTE.name, name), varintField(ATTRIBUTE.int, value), varintField(ATTRIBUTE.type, INT_ATTRIBUTE)))),
  );
  const graph = message(
    lengthDelimited(GRAPH.node, node),
    stringField(GRAPH.name, op),
    ...Object.entries(inputs).map(([name, dims]) => lengthDelimited(GRAPH.input, tensor(name, dims))),
    lengthDelimited(GRAPH.output, tensor(...output)),
  );
  return message(varintField(MODEL.irVersion, 8), lengthDelimited(MODEL.opsetImport, varintField(OPERATOR_SET.version, opset)), lengthDelimited(MODEL.graph, graph));
}
