import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { writeEditedGraph, type GraphEdits } from './onnx/graph.js';

/**
 * The on-disk caches of layerwise (`~/.cache/layerwise`), built so that they cannot lie: keys hold
 * the content of every file that changes the numbers, entries carry a checksum checked on every
 * read, a damaged entry is rebuilt with a warning, and a cache that cannot be written only warns.
 * Tapped graphs and file hashes live here; extraction results in `store.ts`.
 */

/** Bump when what a cached entry means changes (pooling, truncation, layout), so old entries are never read as new. 3: per-item extraction stores; 4: pooled inside the graph (float32 sums, not float64). */
export const CACHE_FORMAT = 4;

export function sha256(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Cache problems are warnings: the results are still computed. */
export function warn(message: string): void {
  console.warn(`layerwise: warning: ${message}`);
}

export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** SHA-256 of a file's bytes, read in chunks (a model can be larger than memory allows at once). */
function hashFile(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(16 << 20);
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) h.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * SHA-256 of a file's content, hashed once per (path, size, mtime) and remembered in `memoDir`, so a
 * 500 MB model is read once, not on every load; an edit changes the mtime, hence the hash is redone.
 */
export function fileHash(path: string, memoDir: string): string {
  const { size, mtimeMs } = statSync(path);
  const memo = join(memoDir, sha256(JSON.stringify([path, size, mtimeMs])).slice(0, 32));
  if (existsSync(memo)) {
    const remembered = readFileSync(memo, 'utf8');
    if (/^[0-9a-f]{64}$/.test(remembered)) return remembered;
  }
  const hash = hashFile(path);
  try {
    writeFileAtomic(memo, hash);
  } catch {
    // An unwritable cache only costs hashing again next time; the embedding cache warns about it.
  }
  return hash;
}

/** Identity of a model for caches: the content of every file that changes its numbers, and the cache format. */
export function modelFingerprint(folder: string, files: readonly string[], memoDir: string): string {
  return sha256(JSON.stringify([CACHE_FORMAT, files.map((f) => [f, fileHash(join(folder, f), memoDir)])])).slice(0, 32);
}

/** Folders for graphs that cannot go into an unwritable cache: this process's own, removed on exit. */
let scratch: string | undefined;
function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-tapped-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

interface TappedRecord {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/**
 * The path of `modelPath` with `edits` made (taps added as graph outputs, nodes edited or added), built once
 * and cached in `tapDir` under the model's content hash. A record beside each graph (size, mtime,
 * checksum) catches a truncated or altered copy, which is rebuilt with a warning; an unwritable
 * `tapDir` falls back to a temporary folder with a warning.
 */
export function tappedGraph(modelPath: string, edits: GraphEdits, tapDir: string, format: number, memoDir: string, externalData: readonly string[] = []): string {
  const key = sha256(JSON.stringify([format, fileHash(modelPath, memoDir), edits])).slice(0, 24);
  // One folder per tapped graph: ONNX Runtime reads external weights only from beside the graph.
  const path = join(tapDir, key, 'model.onnx');
  const recordPath = join(tapDir, key, 'record.json');
  if (existsSync(path)) {
    const { size, mtimeMs } = statSync(path);
    let record: TappedRecord | undefined;
    try {
      record = JSON.parse(readFileSync(recordPath, 'utf8')) as TappedRecord;
    } catch {
      record = undefined;
    }
    if (record && record.size === size && (record.mtimeMs === mtimeMs || record.sha256 === hashFile(path))) return path;
    warn(`the cached tapped graph ${path} is incomplete or damaged; rebuilding it`);
  }
  const build = (target: string) => {
    placeExternalData(modelPath, dirname(target), externalData);
    writeEditedGraph(modelPath, target, edits);
    const { size, mtimeMs } = statSync(target);
    return { size, mtimeMs, sha256: hashFile(target) };
  };
  try {
    mkdirSync(dirname(path), { recursive: true });
    const record = build(path);
    writeFileAtomic(recordPath, JSON.stringify(record));
    return path;
  } catch (err) {
    const fallback = join(scratchDir(), key, 'model.onnx');
    warn(`cannot write the tapped graph to ${tapDir} (${errorCode(err)}); using ${fallback} for this run. Set LAYERWISE_CACHE to a writable folder to keep it`);
    mkdirSync(dirname(fallback), { recursive: true });
    build(fallback);
    return fallback;
  }
}

/**
 * External weight files (`*.onnx_data`) hard-linked beside the tapped copy (copied when the cache is
 * on another filesystem): ONNX Runtime refuses data files that resolve outside the graph's folder,
 * as the hub cache's symlinks do.
 */
function placeExternalData(modelPath: string, dir: string, files: readonly string[]): void {
  for (const file of files) {
    const source = realpathSync(join(dirname(modelPath), file));
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { force: true });
    try {
      linkSync(source, target);
    } catch {
      warn(`copying ${source} into ${dir} (another filesystem: set LAYERWISE_CACHE on the model's filesystem to link it instead)`);
      copyFileSync(source, target);
    }
  }
}
