/**
 * The machine's ONNX Runtime MatMul ceiling: one [m×k]·[k×n] product in a one-node ONNX graph
 * (written here as protobuf bytes, no onnx package needed), the weights an initializer as in an
 * exported encoder, run on the same onnxruntime-node with the same threads as extraction.
 *   fp32: MatMul, GFLOP/s = 2·m·k·n / time
 *   int8: MatMulInteger (uint8 activations × int8 weights, what dynamic quantization emits), GOP/s
 */
import * as ort from 'onnxruntime-node';

// Protobuf wire format: a field is its tag (number << 3 | wire type) and then its value.
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const intField = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
function bytesField(field: number, bytes: ArrayLike<number>): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...Array.from(bytes)];
}
const stringField = (field: number, text: string) => bytesField(field, new TextEncoder().encode(text));

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;

/** ValueInfoProto: a named tensor of an element type and fixed shape. */
function valueInfo(name: string, elemType: number, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...intField(1, elemType), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** TensorProto with raw little-endian data. */
function tensor(name: string, elemType: number, dims: number[], raw: Uint8Array): number[] {
  return [...dims.flatMap((d) => intField(1, d)), ...intField(2, elemType), ...stringField(8, name), ...bytesField(9, raw)];
}

function model(nodes: number[][], initializers: number[][], inputs: number[][], outputs: number[][]): Uint8Array {
  const graph = [
    ...nodes.flatMap((n) => bytesField(1, n)),
    ...stringField(2, 'ceiling'),
    ...initializers.flatMap((t) => bytesField(5, t)),
    ...inputs.flatMap((v) => bytesField(11, v)),
    ...outputs.flatMap((v) => bytesField(12, v)),
  ];
  const opset = [...stringField(1, ''), ...intField(2, 13)];
  return Uint8Array.from([...intField(1, 8), ...stringField(2, 'layerwise-bench'), ...bytesField(7, graph), ...bytesField(8, opset)]);
}

function node(op: string, inputs: string[], outputs: string[]): number[] {
  return [...inputs.flatMap((i) => stringField(1, i)), ...outputs.flatMap((o) => stringField(2, o)), ...stringField(4, op)];
}

export interface Ceiling {
  shape: [number, number, number];
  fp32GflopS: number;
  int8GopS: number;
}

async function best(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, rounds: number): Promise<number> {
  await session.run(feeds); // first run: allocations and weight prepacking
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return fastest;
}

/** Best of `rounds` runs of each product on [m×k]·[k×n], with `threads` intra-op threads. */
export async function matmulCeiling(m = 512, k = 768, n = 3072, rounds = 20, threads?: number): Promise<Ceiling> {
  const options: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', ...(threads ? { intraOpNumThreads: threads } : {}) };
  const ops = 2 * m * k * n;

  const weights = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i) * 0.05);
  const fp32 = await ort.InferenceSession.create(
    model([node('MatMul', ['A', 'B'], ['C'])], [tensor('B', FLOAT, [k, n], new Uint8Array(weights.buffer))], [valueInfo('A', FLOAT, [m, k])], [valueInfo('C', FLOAT, [m, n])]),
    options,
  );
  const a = new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, i) => Math.cos(i)), [m, k]);
  const fp32Seconds = await best(fp32, { A: a }, rounds);
  await fp32.release();

  const weights8 = Int8Array.from({ length: k * n }, (_, i) => (i * 7919) % 255 - 127);
  const int8 = await ort.InferenceSession.create(
    model(
      [node('MatMulInteger', ['A', 'B', 'a_zero', 'b_zero'], ['C'])],
      [tensor('B', INT8, [k, n], new Uint8Array(weights8.buffer)), tensor('a_zero', UINT8, [], Uint8Array.of(128)), tensor('b_zero', INT8, [], Uint8Array.of(0))],
      [valueInfo('A', UINT8, [m, k])],
      [valueInfo('C', INT32, [m, n])],
    ),
    options,
  );
  const a8 = new ort.Tensor('uint8', Uint8Array.from({ length: m * k }, (_, i) => (i * 31) % 256), [m, k]);
  const int8Seconds = await best(int8, { A: a8 }, rounds);
  await int8.release();

  return { shape: [m, k, n], fp32GflopS: ops / fp32Seconds / 1e9, int8GopS: ops / int8Seconds / 1e9 };
}
