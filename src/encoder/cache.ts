import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fstatSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { writeWithOutputs } from './onnx/graph.js';

/**
 * The on-disk caches of layerwise (`~/.cache/layerwise`), built so that they cannot lie: keys hold
 * the content of every file that changes the numbers, entries carry a checksum checked on every
 * read, a damaged entry is rebuilt with a warning, and a cache that cannot be written only warns.
 */

/** Bump when what a cached entry means changes (pooling, truncation, layout), so old entries are never read as new. */
export const CACHE_FORMAT = 2;

function sha256(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function warn(message: string): void {
  console.warn(`layerwise: warning: ${message}`);
}

function errorCode(err: unknown): string {
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

/** A stable key for an extraction: settings plus a hash of every input text. */
export function cacheKey(settings: unknown[], texts: string[]): string {
  const h = createHash('sha256').update(JSON.stringify([CACHE_FORMAT, settings]));
  for (const t of texts) h.update('\u0000').update(t);
  return h.digest('hex').slice(0, 32);
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
 * The path of `modelPath` with `outputs` added as graph outputs, built once and cached in `tapDir`
 * under the model's content hash. A record beside each graph (size, mtime, checksum) catches a
 * truncated or altered copy, which is rebuilt with a warning; an unwritable `tapDir` falls back
 * to a temporary folder with a warning.
 */
export function tappedGraph(modelPath: string, outputs: readonly string[], tapDir: string, format: number, memoDir: string, externalData: readonly string[] = []): string {
  const key = sha256(JSON.stringify([format, fileHash(modelPath, memoDir), outputs])).slice(0, 24);
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
    writeWithOutputs(modelPath, target, [...outputs]);
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

/**
 * Extraction results on disk as safetensors (`hidden_states.<k>` float32 [rows, dim]), which
 * Python reads with `safetensors.numpy.load_file`. The metadata holds a SHA-256 of the tensor
 * bytes, checked on every read: a damaged entry is deleted and recomputed, never returned.
 * Entries are written to a temp file and renamed; a cache that cannot be written warns once.
 */
export class EmbeddingCache {
  private warnedWrite = false;

  constructor(readonly dir: string) {}

  path(key: string): string {
    return join(this.dir, `${key}.safetensors`);
  }

  /** Stores an entry; failure (read-only or full disk) is a warning, never an error: the results are in hand. */
  write(key: string, hiddenStates: Float32Array[], rows: number, dim: number, metadata: Record<string, string>): void {
    const tensors = hiddenStates.map((m) => new Uint8Array(m.buffer, m.byteOffset, m.byteLength));
    const header: Record<string, unknown> = { __metadata__: { ...metadata, sha256: sha256(...tensors) } };
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
    try {
      writeFileAtomic(this.path(key), [size, headerBytes, ...tensors]);
    } catch (err) {
      if (!this.warnedWrite) warn(`cannot write to the cache ${this.dir} (${errorCode(err)}): results are not cached. Set LAYERWISE_CACHE to a writable folder`);
      this.warnedWrite = true;
    }
  }

  /** The entry's matrices if it exists and is whole: right size, shapes and checksum. */
  read(key: string, count: number, rows: number, dim: number): Float32Array[] | undefined {
    const path = this.path(key);
    if (!existsSync(path)) return undefined;
    let problem: string;
    try {
      const fd = openSync(path, 'r');
      try {
        const total = fstatSync(fd).size;
        const size = Buffer.alloc(8);
        readSync(fd, size, 0, 8, 0);
        const headerLength = Number(size.readBigUInt64LE());
        if (total !== 8 + headerLength + count * rows * dim * 4) {
          problem = `it holds ${total} bytes, not the ${8 + headerLength + count * rows * dim * 4} of ${count} × [${rows}, ${dim}] float32`;
        } else {
          const headerBytes = Buffer.alloc(headerLength);
          readSync(fd, headerBytes, 0, headerLength, 8);
          const header = JSON.parse(headerBytes.toString('utf8')) as { __metadata__?: { sha256?: string } };
          const out: Float32Array[] = [];
          for (let k = 0; k < count; k++) {
            const m = new Float32Array(rows * dim);
            readSync(fd, new Uint8Array(m.buffer), 0, m.byteLength, 8 + headerLength + k * m.byteLength);
            out.push(m);
          }
          if (header.__metadata__?.sha256 === sha256(...out.map((m) => new Uint8Array(m.buffer)))) return out;
          problem = 'its checksum does not match its data';
        }
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      problem = `it cannot be read (${errorCode(err)})`;
    }
    warn(`cache entry ${path} is damaged (${problem}); recomputing it`);
    try {
      rmSync(path, { force: true });
    } catch {
      // A read-only cache keeps the damaged entry; the checksum rejects it again next time.
    }
    return undefined;
  }
}
