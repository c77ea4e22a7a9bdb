/**
 * A small WebAssembly binary writer: enough of the format (WebAssembly Core Specification 2.0, §5
 * "Binary Format", with the fixed-width SIMD instructions of §5.4.8) to build a module of numeric
 * kernels at run time, as `onnx.ts` builds one-node ONNX models: no compiler, no binary file in
 * the repository. Only the instructions the kernels use are here.
 */

export type ValueType = 'i32' | 'f64' | 'v128';
const VALUE_TYPE: Record<ValueType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)];
// memarg: alignment (log2 bytes) and a constant offset added to the address operand.
const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];

/** Instructions, each as its bytes; a function body is their concatenation. */
export const op = {
  block: [0x02, 0x40], // a block with no result
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  localGet: (index: number) => [0x20, ...uleb(index)],
  localSet: (index: number) => [0x21, ...uleb(index)],
  i32Const: (value: number) => [0x41, ...sleb(value)],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Shl: [0x74],
  f64Add: [0xa0],
  f64Max: [0xa5],
  v128Load: (offset: number) => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset: number) => [...simd(0x0b), ...memarg(4, offset)],
  f64x2Splat: simd(0x14),
  f64x2ExtractLane: (lane: number) => [...simd(0x21), lane],
  f64x2Abs: simd(0xec),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  f64x2Max: simd(0xf5),
} as const;

export interface WasmFunction {
  name: string; // exported under this name
  params: ValueType[];
  results: ValueType[];
  locals: ValueType[]; // numbered after the parameters
  body: number[]; // instructions, without the final `end`
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/**
 * A module of exported functions over one memory it imports as `env.memory` (so the caller makes
 * the memory, grows it, and views it as typed arrays).
 */
export function wasmModule(functions: WasmFunction[]): BufferSource {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [VALUE_TYPE[t]])), ...vector(f.results.map((t) => [VALUE_TYPE[t]]))]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, 0x01]; // memory, limits: min 1 page, no max
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const code = [...vector(f.locals.map((t) => [0x01, VALUE_TYPE[t]])), ...f.body, ...op.end];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}
