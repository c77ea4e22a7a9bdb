import { existsSync, statSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AutoConfig, AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { ActivationCache, LayerStack, SentenceVectors, WordVectors, layerNames, type EmbeddingComponent } from '../core/activations.js';
import { DEFAULTS, layerwiseCacheDir, type Dtype, type SentencePooling, type WordPooling } from '../core/config.js';
import { checkOptionalInteger } from '../core/validate.js';
import type { ProgressCallback } from '../core/progress.js';
import { planBatches, runInOrder } from './batches.js';
import { modelFingerprint, sha256 } from './cache.js';
import { checkConfigAgainstGraph, checkModelPath } from './checks.js';
import { snapshotFolder, type HubOptions } from './hub.js';
import { maxPoolSpan, poolingWeights, pooledInGraph, type Pooling, type Span } from './pool.js';
import type { PoolingWeights } from './onnx/pooling.js';
import { SessionPool } from './session-pool.js';
import { TappedModel, externalDataFiles, type BatchOutputs, type BatchRunner } from './session.js';
import { VectorStore, textKey, wordsKey } from './store.js';
import { TextTokenizer, type Tokenized } from './tokenize.js';

/** Weight types as transformers.js names them, and the file each selects (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
export type { Dtype } from '../core/config.js';
export const MODEL_FILES: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model_int8.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
  bnb4: 'onnx/model_bnb4.onnx',
};

/**
 * Encoder-only architectures (config.json `model_type`) layerwise reads, each tested on the
 * conformance zoo (test/fixtures/zoo). Decoders and encoder-decoders are refused up front.
 */
const SUPPORTED_MODEL_TYPES = ['bert', 'roberta', 'xlm-roberta', 'distilbert', 'albert', 'electra', 'deberta-v2'];
// Their position ids start after the padding index (`create_position_ids_from_input_ids`).
const POSITIONS_AFTER_PADDING = new Set(['roberta', 'xlm-roberta']);

export interface LoadOptions extends HubOptions {
  /**
   * Which ONNX file, as transformers.js names them: `fp32` (onnx/model.onnx), `fp16` (model_fp16),
   * `q8` (model_quantized), `int8`, `uint8`, `q4`, `q4f16`, `bnb4` (model_<dtype>.onnx).
   */
  dtype?: Dtype;
  /** Where layerwise keeps tapped graphs and extraction results; default `$LAYERWISE_CACHE` or ~/.cache/layerwise. */
  layerwiseCache?: string;
  /** ONNX Runtime intra-op threads, shared among the sessions; default: all cores. */
  threads?: number;
  /**
   * ONNX Runtime sessions running batches side by side, each in a worker thread with its share of
   * `threads` and its own copy of the weights (see SessionPool: 1.11–1.13× on 2 cores); default
   * `defaultSessions`.
   */
  sessions?: number;
}

export interface ExtractOptions {
  /** Hidden state indices to return (0 = embeddings output); default all. */
  layers?: number[];
  batchSize?: number;
  /** Token limit per text, special tokens included; default the model's. */
  maxLength?: number;
  onProgress?: ProgressCallback;
  /** Reuse and store results in the on-disk extraction store (default true). */
  cache?: boolean;
}

export interface TokenOptions extends Omit<ExtractOptions, 'cache'> {
  attentions?: boolean;
  components?: boolean;
}

interface ModelConfig {
  model_type?: string;
  num_attention_heads?: number;
  max_position_embeddings?: number;
  pad_token_id?: number;
}

/** A tokenized input of an extraction: all of an item (a text, a sentence) or a piece of it, filling rows from `firstRow`. */
type Piece = Tokenized & { item: number; firstRow: number };

/** How an extraction pools: the mode, and the token spans of a piece, one per row of its item from `firstRow` on. */
interface PiecePooling {
  mode: Pooling;
  spans: (piece: Piece) => Span[];
}

/** How many items an encoder ran through the model, and how many it read back from its extraction store, since it was loaded. */
export interface ExtractionCounts {
  extracted: number;
  reused: number;
}

/**
 * Two sessions where there are 2 threads or more, the model's files reach 50 MB (a model of a few MB
 * runs a batch in milliseconds, less than starting a worker takes), and two sessions (1.5× the
 * model's files each, measured 1.4× for roberta-base) take at most a quarter of the machine's memory;
 * else 1.
 */
function defaultSessions(threads: number, modelBytes: number): number {
  return threads >= 2 && modelBytes >= 50e6 && 2 * 1.5 * modelBytes <= totalmem() / 4 ? 2 : 1;
}

const isHubId = (s: string) => /^[\w.-]+(\/[\w.-]+)?$/.test(s) && !s.startsWith('.');

/** Refuses an empty list or an empty text, before any work. */
function checkTexts(texts: string[]): void {
  if (texts.length === 0) throw new Error('no texts given: pass at least one');
  texts.forEach((text, i) => {
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`text ${i} is empty: remove it or give it some words`);
  });
}

/** A pretrained encoder whose every hidden state, attention map and embedding component can be read. */
export class Encoder {
  readonly layerNames: string[];
  /** Items (texts, sentences) extracted and reused by `embed` and `embedWords`. */
  readonly counts: ExtractionCounts = { extracted: 0, reused: 0 };
  private readonly text: TextTokenizer;
  private readonly stores = new Map<string, VectorStore>();
  private readonly vocab: string[];

  private constructor(
    /** The hub id or folder it was loaded from. */
    readonly name: string,
    /** Identity for caches: the content of the model's graph, tokenizer and config files. */
    readonly fingerprint: string,
    readonly config: ModelConfig,
    readonly tokenizer: PreTrainedTokenizer,
    readonly model: TappedModel,
    /** What runs the batches: `model` itself, or a pool of its sessions. */
    private readonly runner: BatchRunner,
    /** Longest input in tokens, special tokens included. */
    readonly maxLength: number,
    private readonly layerwiseCache: string,
  ) {
    this.text = new TextTokenizer(tokenizer);
    this.layerNames = layerNames(model.numHiddenStates);
    this.vocab = [];
    for (const [token, id] of tokenizer.get_vocab()) this.vocab[id] = token;
  }

  /**
   * Loads a hub model (`Xenova/roberta-base`, downloaded once into the Hugging Face cache) or a
   * local folder laid out the same way (config.json, tokenizer.json, tokenizer_config.json, onnx/model*.onnx).
   */
  static async load(idOrDir: string = DEFAULTS.model, options: LoadOptions = {}): Promise<Encoder> {
    const dtype = options.dtype ?? 'fp32';
    const modelFile = Object.hasOwn(MODEL_FILES, dtype) ? MODEL_FILES[dtype] : undefined;
    if (!modelFile) throw new Error(`unknown dtype "${dtype}": use one of ${Object.keys(MODEL_FILES).join(', ')}`);
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', modelFile];
    checkOptionalInteger('threads', options.threads, 1);
    checkOptionalInteger('sessions', options.sessions, 1);
    checkModelPath(idOrDir);
    let folder: string;
    if (existsSync(idOrDir) && statSync(idOrDir).isDirectory()) {
      folder = resolve(idOrDir);
      for (const f of files) {
        if (!existsSync(join(folder, f))) {
          const hint = f === modelFile && dtype !== 'fp32' ? ` (this model has no ${dtype} file: use dtype fp32)` : '';
          throw new Error(`${join(folder, f)} is missing: a model folder needs ${files.join(', ')}${hint}`);
        }
      }
    } else if (isHubId(idOrDir)) {
      folder = await snapshotFolder(idOrDir, files, options);
      // Weights over 2 GB live in external files named inside the graph: fetch them into the same snapshot.
      const external = externalDataFiles(join(folder, modelFile)).map((f) => join(dirname(modelFile), f));
      if (external.length > 0) folder = await snapshotFolder(idOrDir, [...files.slice(0, -1), ...external, modelFile], options);
    } else {
      throw new Error(`"${idOrDir}" is neither a folder nor a Hugging Face model id like Xenova/roberta-base`);
    }
    const rawConfig = (await AutoConfig.from_pretrained(folder, { local_files_only: true })) as unknown as ModelConfig;
    const modelType = rawConfig.model_type ?? '(none)';
    if (!SUPPORTED_MODEL_TYPES.includes(modelType)) throw new Error(`model type "${modelType}" of ${idOrDir} is not supported: layerwise reads encoder-only models of type ${SUPPORTED_MODEL_TYPES.join(', ')}`);
    const tokenizer = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
    const layerwiseCache = options.layerwiseCache ?? layerwiseCacheDir();
    const afterPadding = POSITIONS_AFTER_PADDING.has(modelType);
    const padId = tokenizer.pad_token_id ?? 0;
    const threads = options.threads ?? availableParallelism();
    const sessionOptions = {
      threads,
      positions: afterPadding ? { kind: 'after-padding', paddingIdx: rawConfig.pad_token_id ?? padId } as const : { kind: 'arange' } as const,
      probeIds: new TextTokenizer(tokenizer).encode('hello world', 16).ids,
      padId,
    };
    const model = TappedModel.plan(join(folder, modelFile), join(layerwiseCache, 'tapped'), sessionOptions);
    const sessions = Math.min(threads, options.sessions ?? defaultSessions(threads, model.fileBytes));
    let runner: BatchRunner = model;
    if (sessions > 1) {
      // The sessions load, and are checked, in their workers; none in this thread.
      const pool = new SessionPool(sessions, model, Math.floor(threads / sessions));
      model.hiddenSize = await pool.start().catch(async (err: Error) => {
        await pool.release(); // no idle worker keeps a session of a model that failed
        throw err;
      });
      runner = pool;
    } else {
      await model.load();
    }
    const fingerprint = modelFingerprint(folder, files, join(layerwiseCache, 'hashes'));
    const config = checkConfigAgainstGraph(join(folder, 'config.json'), rawConfig, model);
    const positions = config.max_position_embeddings ?? 512;
    const usable = afterPadding ? positions - (config.pad_token_id ?? 1) - 1 : positions;
    const declared = Number(tokenizer.model_max_length);
    const maxLength = Number.isFinite(declared) && declared > 0 && declared < 1e6 ? Math.min(declared, usable) : usable;
    return new Encoder(idOrDir, fingerprint, config, tokenizer, model, runner, maxLength, layerwiseCache);
  }

  get numHiddenStates(): number {
    return this.model.numHiddenStates;
  }

  /** ONNX Runtime sessions running batches side by side (`LoadOptions.sessions`). */
  get sessions(): number {
    return this.runner.parallelism;
  }

  /** Whether the graph exposes attention probabilities (a Softmax in every attention block). */
  get hasAttentions(): boolean {
    return this.model.taps.attentions.length > 0;
  }

  /** Width of the hidden states, as the graph computes them (config.json names it differently per model). */
  get hiddenSize(): number {
    return this.model.hiddenSize;
  }

  /**
   * The token limit of a call: the model's, or a smaller one that leaves room for at least one
   * real token beside the special ones (a limit of 2 would return only `<s></s>` for every text).
   */
  private lengthLimit(maxLength: number | undefined): number {
    if (maxLength === undefined) return this.maxLength;
    const min = this.text.specialCount + 1;
    if (!Number.isInteger(maxLength) || maxLength < min || maxLength > this.maxLength) {
      throw new Error(`maxLength must be an integer from ${min} (the model's ${this.text.specialCount} special tokens + 1) to ${this.maxLength} (the model's limit), got ${maxLength}`);
    }
    return maxLength;
  }

  /** The token ids a text is run with: special tokens added, truncated as extraction truncates. */
  inputIds(text: string, maxLength?: number): number[] {
    return this.text.encode(text, this.lengthLimit(maxLength)).ids;
  }

  /** Token strings of ids (`<s>`, `ĠThe`, …). */
  tokens(ids: number[]): string[] {
    return ids.map((id) => this.vocab[id] ?? `[${id}]`);
  }

  /** The hidden states a call asks for, checked; its batch size is checked here too, before any cache lookup. */
  private layersOf(options: { layers?: number[]; batchSize?: number }): number[] {
    checkOptionalInteger('batchSize', options.batchSize, 1);
    const all = Array.from({ length: this.numHiddenStates }, (_, l) => l);
    const layers = options.layers ?? all;
    if (layers.length === 0) throw new Error(`layers is empty: name at least one hidden state (0…${this.numHiddenStates - 1}), or leave it out for all`);
    for (const l of layers) {
      if (!Number.isInteger(l) || l < 0 || l >= this.numHiddenStates) throw new Error(`layer ${l} does not exist: this model has hidden states 0…${this.numHiddenStates - 1} (0 = embeddings)`);
    }
    return layers;
  }

  /** Tokenizes texts (checked with `checkTexts`), warning once about truncation. */
  private tokenizeTexts(texts: string[], maxLength: number): Tokenized[] {
    let truncated = 0;
    const out = texts.map((text) => {
      const enc = this.text.encode(text, maxLength);
      if (enc.truncated) truncated++;
      return { ids: enc.ids };
    });
    if (truncated > 0) console.warn(`layerwise: ${truncated} of ${texts.length} texts are longer than ${maxLength} tokens and were truncated`);
    return out;
  }

  /**
   * Runs tokenized inputs in length-sorted batches, handing each batch's outputs to `consume` in
   * order; as many batches run at once as the runner has sessions.
   */
  private async forEachBatch(
    inputs: Tokenized[],
    request: { layers: number[]; attentions?: boolean; components?: boolean },
    options: ExtractOptions,
    consume: (items: number[], out: BatchOutputs) => void,
    poolingOf?: (items: number[], seqLen: number) => PoolingWeights,
  ): Promise<void> {
    const batchSize = options.batchSize ?? DEFAULTS.batchSize;
    // Bound one batch's activations (batch × seq tokens) so long texts cannot exhaust memory. ONNX
    // Runtime's arena keeps the largest batch's size: on roberta-base, 2,048-token batches grew the
    // process by 200 MB over the loaded model, 4,096-token ones by 374–394 MB, at the same speed
    // (633 against 639–649 tokens/s, Python ONNX Runtime, two threads).
    const batches = planBatches(inputs.map((t) => t.ids.length), batchSize, Math.max(2048, batchSize * 64));
    let done = 0;
    options.onProgress?.({ done, total: inputs.length });
    const run = (items: number[]) => {
      const seqLen = Math.max(...items.map((i) => inputs[i].ids.length));
      return this.runner.run(items.map((i) => inputs[i].ids), this.tokenizer.pad_token_id ?? 0, { ...request, pooling: poolingOf?.(items, seqLen) });
    };
    await runInOrder(batches, this.runner.parallelism, run, (items, out) => {
      consume(items, out);
      done += items.length;
      options.onProgress?.({ done, total: inputs.length });
    });
  }

  /**
   * The store of one kind of extraction: on disk (all hidden states, one folder per model content,
   * level, pooling and length limit) or, with `cache: false`, in memory for this call only.
   */
  private storeFor(settings: Record<string, string | number>, layers: number[], useCache: boolean): VectorStore {
    if (!useCache) return new VectorStore(undefined, settings, layers, this.hiddenSize);
    const key = sha256(JSON.stringify([this.fingerprint, settings])).slice(0, 32);
    let store = this.stores.get(key);
    if (!store) {
      const all = Array.from({ length: this.numHiddenStates }, (_, l) => l);
      store = new VectorStore(join(this.layerwiseCache, 'extractions', key), { model: this.name, fingerprint: this.fingerprint, ...settings }, all, this.hiddenSize);
      this.stores.set(key, store);
    }
    return store;
  }

  /**
   * The vectors of items (`keys`, in order) from a store, extracting first the items it lacks:
   * `pieces` tokenizes those, `rowsOf` says how many rows an item has, `pooling` fills them (inside
   * the graph, but for max pooling).
   */
  private async stored(store: VectorStore, keys: string[], layers: number[], options: ExtractOptions, work: { pieces: (items: number[]) => Piece[]; rowsOf: (item: number) => number; pooling: PiecePooling }, selections?: readonly Int32Array[]): Promise<Float32Array[][]> {
    const dim = this.hiddenSize;
    const { mode, spans } = work.pooling;
    for (let attempt = 0; ; attempt++) {
      const missing: number[] = [];
      const seen = new Set<string>();
      keys.forEach((key, i) => {
        if (seen.has(key)) return;
        seen.add(key);
        if (!store.has(key)) missing.push(i);
      });
      this.counts.extracted += missing.length;
      if (attempt === 0) this.counts.reused += seen.size - missing.length;
      if (missing.length === 0) options.onProgress?.({ done: seen.size, total: seen.size, label: `0 new, ${seen.size} stored` });
      else {
        const pieces = work.pieces(missing);
        const piecesLeft = new Map<number, number>();
        for (const piece of pieces) piecesLeft.set(piece.item, (piecesLeft.get(piece.item) ?? 0) + 1);
        // Items being filled; each goes to the store (and, as shards fill, to disk) once its last piece ran.
        const filling = new Map<number, Float32Array[]>();
        const label = `${missing.length} new, ${seen.size - missing.length} stored`;
        const onProgress = options.onProgress && ((p: { done: number; total: number }) => options.onProgress!({ ...p, label }));
        const pieceSpans = pieces.map(spans);
        const poolingOf = pooledInGraph(mode) ? (items: number[], seqLen: number) => poolingWeights(items.map((p) => pieceSpans[p]), seqLen, mode) : undefined;
        await this.forEachBatch(pieces, { layers: [...store.layers] }, { ...options, onProgress }, (batchItems, out) => {
          batchItems.forEach((p, row) => {
            const piece = pieces[p];
            const data = filling.get(piece.item) ?? store.layers.map(() => new Float32Array(work.rowsOf(piece.item) * dim));
            filling.set(piece.item, data);
            pieceSpans[p].forEach((span, r) => {
              const at = (piece.firstRow + r) * dim;
              store.layers.forEach((l, k) => {
                if (out.rows > 0) data[k].set(out.pooled.get(l)!.subarray((row * out.rows + r) * dim, (row * out.rows + r + 1) * dim), at);
                else maxPoolSpan(out.hiddenStates.get(l)!, out.seqLen, dim, row, span, data[k], at);
              });
            });
            const left = piecesLeft.get(piece.item)! - 1;
            piecesLeft.set(piece.item, left);
            if (left === 0) {
              store.add(keys[piece.item], data);
              filling.delete(piece.item);
            }
          });
        }, poolingOf);
        store.flush();
      }
      const found = store.read(keys, layers, selections);
      if (found) return found.map((rows) => rows.data);
      if (attempt > 0) throw new Error(`the extraction store ${store.dir} returned damaged data twice in a row: check its disk, or set LAYERWISE_CACHE to another folder`);
    }
  }

  /** One pooled vector per text and hidden state, through the extraction store (by model, pooling, max length and text). */
  async embed(texts: string[], options: ExtractOptions & { pooling?: SentencePooling } = {}): Promise<SentenceVectors> {
    const pooling = options.pooling ?? DEFAULTS.sentencePooling;
    const layers = this.layersOf(options);
    const maxLength = this.lengthLimit(options.maxLength);
    const dim = this.hiddenSize;
    checkTexts(texts);
    const store = this.storeFor({ level: 'sentences', pooling, maxLength }, layers, options.cache ?? true);
    const [data] = await this.stored(store, texts.map(textKey), layers, options, {
      pieces: (items) => this.tokenizeTexts(items.map((i) => texts[i]), maxLength).map((t, k) => ({ ...t, item: items[k], firstRow: 0 })),
      rowsOf: () => 1,
      pooling: { mode: pooling, spans: (piece) => [{ from: 0, to: piece.ids.length }] },
    });
    return new SentenceVectors(new LayerStack(layers, data, texts.length, dim), texts, pooling, this.name);
  }

  /**
   * One vector per word of pre-tokenized sentences (CoNLL-U words): each word's subword
   * tokens pooled (`first`, `mean`, `last`), tokens split as Hugging Face's `is_split_into_words`.
   * Through the extraction store, by model, pooling and words.
   */
  async embedWords(sentences: string[][], options: ExtractOptions & { pooling?: WordPooling } = {}): Promise<WordVectors> {
    const layers = this.layersOf(options);
    const sentenceOffsets = wordOffsets(sentences);
    const [data] = await this.storedWords(sentences, layers, options);
    return new WordVectors(new LayerStack(layers, data, sentenceOffsets[sentences.length], this.hiddenSize), sentenceOffsets, options.pooling ?? DEFAULTS.wordPooling, this.name);
  }

  /**
   * The vectors of chosen words only, one stack per row set (a task's train and test examples):
   * rows index the words of all `sentences` in order (as `embedWords` numbers them). Memory holds
   * just those rows, not every word of the sentences — what a probing task needs of a treebank.
   * Every sentence is extracted (into the store) if new, and the store is read once for all sets.
   */
  async embedWordRows(sentences: string[][], rowSets: readonly Int32Array[], options: ExtractOptions & { pooling?: WordPooling } = {}): Promise<LayerStack[]> {
    const layers = this.layersOf(options);
    const data = await this.storedWords(sentences, layers, options, rowSets);
    return data.map((layerData, s) => new LayerStack(layers, layerData, rowSets[s].length, this.hiddenSize));
  }

  private storedWords(sentences: string[][], layers: number[], options: ExtractOptions & { pooling?: WordPooling }, selections?: readonly Int32Array[]): Promise<Float32Array[][]> {
    const pooling = options.pooling ?? DEFAULTS.wordPooling;
    const store = this.storeFor({ level: 'words', pooling }, layers, options.cache ?? true);
    return this.stored(store, sentences.map(wordsKey), layers, options, {
      pieces: (items) => this.wordPieces(sentences, items),
      rowsOf: (s) => sentences[s].length,
      pooling: { mode: pooling, spans: ({ wordStarts, wordEnds }) => Array.from(wordStarts!, (from, w) => ({ from, to: wordEnds![w] })) },
    }, selections);
  }

  /**
   * The inputs of sentences given as words. A sentence longer than the model's limit is cut into
   * consecutive word chunks that fit, each run on its own (less context for those words, but every
   * word gets a vector).
   */
  private wordPieces(sentences: string[][], items: number[]): Piece[] {
    const pieces: Piece[] = [];
    let split = 0;
    for (const s of items) {
      const words = sentences[s];
      const whole = this.text.encodeWords(words);
      if (whole.ids.length <= this.maxLength) {
        pieces.push({ ...whole, item: s, firstRow: 0 });
        continue;
      }
      split++;
      let from = 0;
      while (from < words.length) {
        let to = from + 1;
        while (to < words.length && whole.wordEnds![to] - whole.wordStarts![from] + this.text.specialCount <= this.maxLength) to++;
        const chunk = this.text.encodeWords(words.slice(from, to));
        if (chunk.ids.length > this.maxLength) throw new Error(`sentence ${s}: word ${from} alone has more tokens than the model's ${this.maxLength}`);
        pieces.push({ ...chunk, item: s, firstRow: from });
        from = to;
      }
    }
    if (split > 0) console.warn(`layerwise: ${split} of ${items.length} sentences are longer than ${this.maxLength} tokens and were cut into pieces`);
    return pieces;
  }

  /** Every token's hidden states (and optionally attention maps and embedding components) per text. */
  async embedTokens(texts: string[], options: TokenOptions = {}): Promise<ActivationCache[]> {
    const layers = this.layersOf(options);
    const dim = this.hiddenSize;
    checkTexts(texts);
    const inputs = this.tokenizeTexts(texts, this.lengthLimit(options.maxLength));
    const results: ActivationCache[] = new Array(texts.length);
    const request = { layers, attentions: options.attentions, components: options.components };
    await this.forEachBatch(inputs, request, options, (items, out) => {
      const S = out.seqLen;
      items.forEach((item, row) => {
        const ids = inputs[item].ids;
        const n = ids.length;
        const tokensOf = (batch: Float32Array) => batch.slice(row * S * dim, row * S * dim + n * dim);
        const hiddenStates = new LayerStack(layers, layers.map((l) => tokensOf(out.hiddenStates.get(l)!)), n, dim);
        // attentions[k] is encoder layer k + 1: HF's `attentions` tuple has no entry for the embeddings.
        const attentions = new Map(out.attentions.map((probs, k) => {
          const heads = probs.length / (out.batch * S * S);
          const maps = Array.from({ length: heads }, (_, h) => {
            const map = new Float32Array(n * n);
            const base = (row * heads + h) * S * S;
            for (let q = 0; q < n; q++) map.set(probs.subarray(base + q * S, base + q * S + n), q * n);
            return map;
          });
          return [k + 1, maps] as const;
        }));
        const components = Object.fromEntries(Object.entries(out.components).map(([k, v]) => [k, tokensOf(v)])) as Partial<Record<EmbeddingComponent, Float32Array>>;
        results[item] = new ActivationCache(texts[item], ids, this.tokens(ids), hiddenStates, attentions, components);
      });
    });
    return results;
  }

  /** Frees ONNX Runtime's sessions (their weights' memory); a later call loads the one it needs again. */
  async dispose(): Promise<void> {
    await this.runner.release();
    await this.model.release();
  }
}

/** Where each sentence's words start in the concatenation of all sentences' words (and the total, last). */
export function wordOffsets(sentences: readonly (readonly string[])[]): Int32Array {
  const offsets = new Int32Array(sentences.length + 1);
  sentences.forEach((words, s) => {
    if (words.length === 0) throw new Error(`sentence ${s} has no words`);
    offsets[s + 1] = offsets[s] + words.length;
  });
  return offsets;
}
