import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withLockFile, writeFileAtomic } from '../core/atomic.js';
import { CACHE_FORMAT, errorCode, sha256, warn } from './cache.js';

/**
 * Extraction results kept per item (a text, or a sentence's words) for one set of extraction
 * settings, so any request reuses every item already extracted. On disk a store is a folder of
 * append-only safetensors shards (`shard-00001.safetensors`: `hidden_states.<k>` float32
 * [rows, hidden], all hidden states, the tensor bytes' SHA-256 in the metadata) and an
 * `index.json` mapping each item's key to its shard, first row and row count. A shard is written
 * whole (temp file, fsync, rename) before the index that names it is replaced the same way, so a
 * killed run leaves the old index or the new one; a shard no index names is garbage, removed when
 * the store is opened. Every read checks the shard's checksum: a damaged shard is dropped from the
 * index with a warning and its items are extracted again.
 */

/** Once this many bytes of new vectors wait, they are written as a shard: bounds an extraction's memory and what a kill loses. */
const SHARD_BYTES = 64 << 20;
const SHARD_NAME = /^shard-(\d+)\.safetensors$/;

/** Where an item's rows are: its shard, first row and number of rows. */
export type Placement = [shard: string, row: number, rows: number];

export interface StoreIndex {
  format: number;
  /** What the vectors are (model, level, pooling, max length): for people and for Python, not for lookups. */
  settings: Record<string, string | number>;
  /** Hidden states every shard holds, as `hidden_states.<k>`. */
  layers: number[];
  hiddenSize: number;
  /** Item key → placement. */
  items: Record<string, Placement>;
}

/** The key of a text: SHA-256 of its UTF-8 bytes (Python: `hashlib.sha256(text.encode()).hexdigest()`). */
export const textKey = (text: string): string => sha256(text);

/** The key of a pre-tokenized sentence: SHA-256 of its words as compact JSON (Python: `json.dumps(words, ensure_ascii=False, separators=(",", ":"))`). */
export const wordsKey = (words: readonly string[]): string => sha256(JSON.stringify(words));

const bytesOf = (m: Float32Array) => new Uint8Array(m.buffer, m.byteOffset, m.byteLength);

/** Vectors of some items, concatenated in the order asked for: one [rows, hidden] matrix per layer asked for. */
export interface StoredRows {
  data: Float32Array[];
  rows: number;
}

/**
 * One store (one folder), or, without a folder, the same bookkeeping in memory (`cache: false`,
 * or a folder that cannot be written: then new items stay in memory for this run, with one warning).
 */
export class VectorStore {
  private index: StoreIndex;
  /** Items not on disk: waiting for their shard, or kept here for good when there is no writable folder. */
  private readonly memory = new Map<string, Float32Array[]>();
  /** Shards whose checksum held, with the size and mtime they had then. */
  private readonly verified = new Map<string, string>();
  private pending: string[] = [];
  private pendingBytes = 0;
  private writable: boolean;

  constructor(
    readonly dir: string | undefined,
    private readonly settings: Record<string, string | number>,
    readonly layers: readonly number[],
    readonly hiddenSize: number,
  ) {
    this.writable = dir !== undefined;
    this.index = this.emptyIndex();
    if (dir === undefined) return;
    try {
      withLockFile(this.lockPath, () => {
        this.index = this.readIndex();
        this.removeGarbage();
      });
    } catch {
      // A read-only cache: use what it holds; writing will warn.
      this.index = this.readIndex();
    }
  }

  private get lockPath(): string {
    return join(this.dir!, 'index.lock');
  }

  private get indexPath(): string {
    return join(this.dir!, 'index.json');
  }

  private emptyIndex(): StoreIndex {
    return { format: CACHE_FORMAT, settings: this.settings, layers: [...this.layers], hiddenSize: this.hiddenSize, items: {} };
  }

  /** The index on disk (other processes may have added shards), or an empty one when there is none or it is unusable. */
  private readIndex(): StoreIndex {
    if (!existsSync(this.indexPath)) return this.emptyIndex();
    try {
      const index = JSON.parse(readFileSync(this.indexPath, 'utf8')) as StoreIndex;
      if (index.format === CACHE_FORMAT && index.hiddenSize === this.hiddenSize && index.layers.join() === this.layers.join() && typeof index.items === 'object') return index;
      warn(`the extraction store index ${this.indexPath} describes other vectors; starting the store anew`);
    } catch (err) {
      warn(`the extraction store index ${this.indexPath} cannot be read (${errorCode(err)}); starting the store anew`);
    }
    return this.emptyIndex();
  }

  private writeIndex(index: StoreIndex): void {
    writeFileAtomic(this.indexPath, [Buffer.from(JSON.stringify(index))]);
  }

  /** Shards no index names (a run killed between writing a shard and the index) and temp files of killed writers. */
  private removeGarbage(): void {
    const named = new Set(Object.values(this.index.items).map(([shard]) => shard));
    for (const entry of readdirSync(this.dir!)) {
      if ((SHARD_NAME.test(entry) && !named.has(entry)) || entry.endsWith('.tmp')) rmSync(join(this.dir!, entry), { force: true });
    }
  }

  has(key: string): boolean {
    return this.memory.has(key) || Object.hasOwn(this.index.items, key);
  }

  /** Adds an item's vectors (one [rows, hidden] array per layer of the store); written with the next shard. */
  add(key: string, data: Float32Array[]): void {
    this.memory.set(key, data);
    if (!this.writable) return;
    this.pending.push(key);
    this.pendingBytes += data.reduce((sum, m) => sum + m.byteLength, 0);
    if (this.pendingBytes >= SHARD_BYTES) this.flush();
  }

  /** Writes the items added since the last shard as a new shard, then the index naming them. */
  flush(): void {
    const keys = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (keys.length === 0 || !this.writable) return;
    const dir = this.dir!;
    try {
      withLockFile(this.lockPath, () => {
        const index = this.readIndex();
        const used = readdirSync(dir).map((f) => Number(SHARD_NAME.exec(f)?.[1] ?? 0));
        const name = `shard-${String(Math.max(0, ...used) + 1).padStart(5, '0')}.safetensors`;
        let row = 0;
        for (const key of keys) {
          const rows = this.memory.get(key)![0].length / this.hiddenSize;
          index.items[key] = [name, row, rows];
          row += rows;
        }
        this.writeShard(join(dir, name), keys.map((k) => this.memory.get(k)!), row);
        this.writeIndex(index);
        this.index = index;
      });
      for (const key of keys) this.memory.delete(key);
    } catch (err) {
      this.writable = false;
      warn(`cannot write to the cache ${dir} (${errorCode(err)}): results are not cached. Set LAYERWISE_CACHE to a writable folder`);
    }
  }

  private writeShard(path: string, items: Float32Array[][], rows: number): void {
    const tensors = this.layers.map((_, k) => items.map((data) => bytesOf(data[k])));
    const header: Record<string, unknown> = { __metadata__: { ...Object.fromEntries(Object.entries(this.settings).map(([k, v]) => [k, String(v)])), sha256: sha256(...tensors.flat()) } };
    let offset = 0;
    this.layers.forEach((layer) => {
      const bytes = rows * this.hiddenSize * 4;
      header[`hidden_states.${layer}`] = { dtype: 'F32', shape: [rows, this.hiddenSize], data_offsets: [offset, offset + bytes] };
      offset += bytes;
    });
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8); // keeps tensor data 8-byte aligned
    const headerBytes = Buffer.from(json, 'utf8');
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(headerBytes.length));
    writeFileAtomic(path, [size, headerBytes, ...tensors.flat()]);
  }

  /** A shard's tensors (one per layer of the store) if it is whole: its size, shapes and checksum agree; else what is wrong. */
  private loadShard(name: string): Float32Array[] | string {
    let bytes: Buffer;
    let identity: string;
    try {
      const path = join(this.dir!, name);
      const { size, mtimeMs } = statSync(path);
      identity = `${size}:${mtimeMs}`;
      bytes = readFileSync(path);
    } catch (err) {
      return `it cannot be read (${errorCode(err)})`;
    }
    try {
      const headerLength = bytes.length >= 8 ? Number(bytes.readBigUInt64LE(0)) : Infinity;
      if (8 + headerLength > bytes.length) return `it holds ${bytes.length} bytes, less than its header says`;
      const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: { sha256?: string } };
      const start = 8 + headerLength;
      const entries = this.layers.map((layer) => header[`hidden_states.${layer}`]);
      const end = Math.max(...entries.map((e) => e?.data_offsets[1] ?? Infinity));
      if (start + end !== bytes.length) return `it holds ${bytes.length} bytes, not the ${start + end} its header says`;
      if (entries.some((e) => e.dtype !== 'F32' || e.shape[1] !== this.hiddenSize || e.data_offsets[1] - e.data_offsets[0] !== e.shape[0] * this.hiddenSize * 4)) return 'its header does not describe this store\'s vectors';
      // A lab reads the shared word shards once per task: hash each shard once per process, again only if the file changed.
      if (this.verified.get(name) !== identity) {
        if (header.__metadata__?.sha256 !== sha256(bytes.subarray(start))) return 'its checksum does not match its data';
        this.verified.set(name, identity);
      }
      // Float32Array views need 4-byte alignment: a file read into a pooled buffer may not have it.
      const data = (bytes.byteOffset + start) % 4 === 0 ? bytes : Buffer.from(bytes);
      return entries.map((e) => new Float32Array(data.buffer, data.byteOffset + start + e.data_offsets[0], (e.data_offsets[1] - e.data_offsets[0]) / 4));
    } catch (err) {
      return `its header cannot be read (${(err as Error).message})`;
    }
  }

  /** Removes damaged shards and the index entries naming them (on disk when it can be written). */
  private drop(shards: Set<string>): void {
    const without = (index: StoreIndex) => {
      for (const [key, [shard]] of Object.entries(index.items)) if (shards.has(shard)) delete index.items[key];
      return index;
    };
    this.index = without(this.index);
    for (const shard of shards) this.verified.delete(shard);
    try {
      withLockFile(this.lockPath, () => {
        this.writeIndex(without(this.readIndex()));
        for (const shard of shards) rmSync(join(this.dir!, shard), { force: true });
      });
    } catch {
      // A read-only cache keeps the damaged shard; its checksum rejects it again next time.
    }
  }

  /**
   * The vectors of `keys` (every one must be in the store), concatenated in order, for `layers`;
   * with `selections`, one result per selection holding only those rows of the concatenation, in
   * that order (a task's train and test examples: the other words of their sentences are never
   * held in memory), each shard read once for all of them. Undefined when a shard turned out
   * damaged: it is dropped (with a warning) and its items are missing now, for the caller to
   * extract again.
   */
  read(keys: readonly string[], layers: readonly number[], selections?: readonly Int32Array[]): StoredRows[] | undefined {
    const dim = this.hiddenSize;
    const slots = layers.map((layer) => {
      const k = this.layers.indexOf(layer);
      if (k < 0) throw new Error(`layer ${layer} is not in this store; it holds ${this.layers.join(', ')}`);
      return k;
    });
    const firstRow = new Int32Array(keys.length + 1);
    keys.forEach((key, i) => {
      const memory = this.memory.get(key);
      const placement = this.index.items[key];
      if (!memory && !placement) throw new Error(`item ${key} is not in the extraction store; extract it first`);
      firstRow[i + 1] = firstRow[i] + (memory ? memory[0].length / dim : placement[2]);
    });
    const total = firstRow[keys.length];
    const wanted = selections ?? [Int32Array.from({ length: total }, (_, r) => r)];
    const results = wanted.map((rows) => ({ data: layers.map(() => new Float32Array(rows.length * dim)), rows: rows.length }));
    // Each output row's source: an item in memory (copied now) or a row of a shard (copied shard by shard).
    const byShard = new Map<string, number[]>(); // shard → [selection, output row, shard row, …]
    wanted.forEach((rows, s) => rows.forEach((row, out) => {
      if (!(row >= 0 && row < total)) throw new Error(`row ${row} does not exist: the items hold ${total} rows`);
      const i = itemOf(firstRow, row);
      const within = row - firstRow[i];
      const memory = this.memory.get(keys[i]);
      if (memory) {
        slots.forEach((k, j) => results[s].data[j].set(memory[k].subarray(within * dim, (within + 1) * dim), out * dim));
        return;
      }
      const [shard, start] = this.index.items[keys[i]];
      const list = byShard.get(shard);
      if (list) list.push(s, out, start + within);
      else byShard.set(shard, [s, out, start + within]);
    }));
    const damaged = new Set<string>();
    for (const [shard, list] of byShard) {
      const tensors = this.loadShard(shard);
      if (typeof tensors === 'string') {
        const count = Object.values(this.index.items).filter(([s]) => s === shard).length;
        warn(`cache shard ${join(this.dir!, shard)} is damaged (${tensors}); dropping it and extracting its ${count} items again`);
        damaged.add(shard);
        continue;
      }
      for (let p = 0; p < list.length; ) {
        const [s, out, row] = [list[p], list[p + 1], list[p + 2]];
        // Consecutive rows going to consecutive outputs (whole items, when nothing is selected) are copied as one run.
        let run = 1;
        for (p += 3; p < list.length && list[p] === s && list[p + 1] === out + run && list[p + 2] === row + run; p += 3) run++;
        slots.forEach((k, j) => results[s].data[j].set(tensors[k].subarray(row * dim, (row + run) * dim), out * dim));
      }
    }
    if (damaged.size > 0) {
      this.drop(damaged);
      return undefined;
    }
    return results;
  }
}

/** The item whose rows [firstRow[i], firstRow[i + 1]) hold `row` (binary search; empty items are skipped). */
function itemOf(firstRow: Int32Array, row: number): number {
  let lo = 0;
  let hi = firstRow.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (firstRow[mid] <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
