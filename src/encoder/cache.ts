import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';

/** A stable key for an extraction: settings plus a hash of every input text. */
export function cacheKey(settings: unknown[], texts: string[]): string {
  const h = createHash('sha256').update(JSON.stringify(settings));
  for (const t of texts) h.update('\u0000').update(t);
  return h.digest('hex').slice(0, 32);
}

/**
 * Extraction results on disk as safetensors (`hidden_states.<k>` float32 [rows, dim]), which
 * Python reads with `safetensors.numpy.load_file`. Entries are written to a temp file and
 * renamed, so a killed run never leaves a corrupt one; an unreadable entry is ignored.
 */
export class EmbeddingCache {
  constructor(readonly dir: string) {}

  path(key: string): string {
    return join(this.dir, `${key}.safetensors`);
  }

  write(key: string, hiddenStates: Float32Array[], rows: number, dim: number, metadata: Record<string, string>): void {
    const header: Record<string, unknown> = { __metadata__: metadata };
    let offset = 0;
    hiddenStates.forEach((m, k) => {
      header[`hidden_states.${k}`] = { dtype: 'F32', shape: [rows, dim], data_offsets: [offset, offset + m.byteLength] };
      offset += m.byteLength;
    });
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8); // keeps tensor data 8-byte aligned
    const headerBytes = Buffer.from(json, 'utf8');
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(headerBytes.length));
    writeFileAtomic(this.path(key), [size, headerBytes, ...hiddenStates.map((m) => new Uint8Array(m.buffer, m.byteOffset, m.byteLength))]);
  }

  read(key: string, count: number, rows: number, dim: number): Float32Array[] | undefined {
    const path = this.path(key);
    if (!existsSync(path)) return undefined;
    const fd = openSync(path, 'r');
    try {
      const total = fstatSync(fd).size;
      const size = Buffer.alloc(8);
      readSync(fd, size, 0, 8, 0);
      const headerLength = Number(size.readBigUInt64LE());
      const expected = 8 + headerLength + count * rows * dim * 4;
      if (headerLength > total || total !== expected) return undefined;
      const out: Float32Array[] = [];
      for (let k = 0; k < count; k++) {
        const m = new Float32Array(rows * dim);
        readSync(fd, new Uint8Array(m.buffer), 0, m.byteLength, 8 + headerLength + k * m.byteLength);
        out.push(m);
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }
}
