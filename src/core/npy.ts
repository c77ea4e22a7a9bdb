import { writeFileAtomic } from './atomic.js';
import { readBytes } from './validate.js';

/** A float32 array with its shape, as NumPy's `.npy` stores it (C order). */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The `.npy` v1.0 header for a little-endian float32 C-order array, padded to 64 bytes. */
export function npyHeader(shape: number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(MAGIC.length + 4 + dict.length);
  out.set(MAGIC, 0);
  out[6] = 1; // version 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  out.set(Buffer.from(dict, 'latin1'), 10);
  return out;
}

/** Writes float32 data atomically; `chunks` lets a [layers, n, d] array be written layer by layer. */
export function writeNpy(path: string, shape: number[], chunks: Float32Array | Float32Array[]): void {
  const parts = Array.isArray(chunks) ? chunks : [chunks];
  const total = parts.reduce((s, p) => s + p.length, 0);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (total !== expected) throw new Error(`writeNpy: shape [${shape}] needs ${expected} values, got ${total}`);
  writeFileAtomic(path, [npyHeader(shape), ...parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength))]);
}

const ITEM_SIZE: Record<string, number> = { '<f4': 4, '<f8': 8 };

/**
 * Reads a little-endian float32 (or float64, converted) C-order `.npy` file, checking that the
 * data is exactly as long as the header's shape says (a truncated copy is an error, not zeros).
 */
export function readNpy(path: string): NpyArray {
  const buf = readBytes(path);
  if (buf.length < 10 || !MAGIC.every((b, i) => buf[i] === b)) throw new Error(`${path}: not a .npy file (bad magic bytes); save it with numpy.save`);
  const major = buf[6];
  const start = major === 1 ? 10 : 12;
  const headerLen = buf.length < start ? 0 : major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  if (headerLen === 0 || start + headerLen > buf.length) throw new Error(`${path}: truncated .npy header; copy or save the file again`);
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${path}: unreadable .npy header`);
  if (fortran) throw new Error(`${path}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const itemSize = ITEM_SIZE[descr];
  if (!itemSize) throw new Error(`${path}: dtype ${descr} is not supported; save float32 (np.float32)`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean);
  if (!dims.every((d) => /^\d+$/.test(d))) throw new Error(`${path}: unreadable .npy shape (${shapeText})`);
  const shape = dims.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(start + headerLen);
  if (body.length !== count * itemSize) {
    const what = body.length < count * itemSize ? 'truncated' : 'longer than its header says';
    throw new Error(`${path}: ${what}: shape [${shape}] of ${descr} needs ${count * itemSize} data bytes, the file has ${body.length}; copy or save it again`);
  }
  let data: Float32Array;
  if (descr === '<f4') {
    data = new Float32Array(count);
    new Uint8Array(data.buffer).set(body);
  } else {
    const f64 = new Float64Array(count);
    new Uint8Array(f64.buffer).set(body);
    data = Float32Array.from(f64);
  }
  return { shape, data };
}
