import { mkdirSync, renameSync, rmSync, writeFileSync, openSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file so that a killed process never leaves a half-written one: temp file, then rename. */
export function writeFileAtomic(path: string, chunks: Uint8Array | string | Iterable<Uint8Array>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    if (typeof chunks === 'string' || chunks instanceof Uint8Array) {
      writeFileSync(tmp, chunks);
    } else {
      const fd = openSync(tmp, 'w');
      try {
        for (const chunk of chunks) writeSync(fd, chunk);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
