import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AutoConfig, AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { ActivationCache, LayerStack, SentenceVectors, WordVectors, layerNames, type EmbeddingComponent } from '../core/activations.js';
import { DEFAULTS, layerwiseCacheDir, type Dtype, type SentencePooling, type WordPooling } from '../core/config.js';
import { checkOptionalInteger } from '../core/validate.js';
import type { ProgressCallback } from '../core/progress.js';
import { planBatches } from './batches.js';
import { EmbeddingCache, cacheKey, modelFingerprint } from './cache.js';
import { checkConfigAgainstGraph, checkModelPath } from './checks.js';
import { snapshotFolder, type HubOptions } from './hub.js';
import { poolSpan } from './pool.js';
import { TappedModel, externalDataFiles } from './session.js';
import { TextTokenizer, type Tokenized } from './tokenize.js';

/** Weight types as transformers.js names them, and the file each selects (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
export type { Dtype } from '../core/config.js';
const MODEL_FILES: Record<Dtype, string> = {
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
  /** ONNX Runtime intra-op threads; default: all cores. */
  threads?: number;
}

export interface ExtractOptions {
  /** Hidden state indices to return (0 = embeddings output); default all. */
  layers?: number[];
  batchSize?: number;
  /** Token limit per text, special tokens included; default the model's. */
  maxLength?: number;
  onProgress?: ProgressCallback;
  /** Reuse and store results in the on-disk cache (default true). */
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

const isHubId = (s: string) => /^[\w.-]+(\/[\w.-]+)?$/.test(s) && !s.startsWith('.');

/** A pretrained encoder whose every hidden state, attention map and embedding component can be read. */
export class Encoder {
  readonly layerNames: string[];
  private readonly text: TextTokenizer;
  private readonly cache: EmbeddingCache;
  private readonly vocab: string[];

  private constructor(
    /** The hub id or folder it was loaded from. */
    readonly name: string,
    /** Identity for caches: the content of the model's graph, tokenizer and config files. */
    readonly fingerprint: string,
    readonly config: ModelConfig,
    readonly tokenizer: PreTrainedTokenizer,
    readonly model: TappedModel,
    /** Longest input in tokens, special tokens included. */
    readonly maxLength: number,
    layerwiseCache: string,
  ) {
    this.text = new TextTokenizer(tokenizer);
    this.layerNames = layerNames(model.numHiddenStates);
    this.cache = new EmbeddingCache(join(layerwiseCache, 'embeddings'));
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
    const model = await TappedModel.open(join(folder, modelFile), join(layerwiseCache, 'tapped'), {
      threads: options.threads,
      positions: afterPadding ? { kind: 'after-padding', paddingIdx: rawConfig.pad_token_id ?? padId } : { kind: 'arange' },
      probeIds: new TextTokenizer(tokenizer).encode('hello world', 16).ids,
      padId,
    });
    const fingerprint = modelFingerprint(folder, files, join(layerwiseCache, 'hashes'));
    const config = checkConfigAgainstGraph(join(folder, 'config.json'), rawConfig, model);
    const positions = config.max_position_embeddings ?? 512;
    const usable = afterPadding ? positions - (config.pad_token_id ?? 1) - 1 : positions;
    const declared = Number(tokenizer.model_max_length);
    const maxLength = Number.isFinite(declared) && declared > 0 && declared < 1e6 ? Math.min(declared, usable) : usable;
    return new Encoder(idOrDir, fingerprint, config, tokenizer, model, maxLength, layerwiseCache);
  }

  get numHiddenStates(): number {
    return this.model.numHiddenStates;
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

  /** Tokenizes texts, checking for empty ones and warning once about truncation. */
  private tokenizeTexts(texts: string[], maxLength: number): Tokenized[] {
    if (texts.length === 0) throw new Error('no texts given: pass at least one');
    let truncated = 0;
    const out = texts.map((text, i) => {
      if (typeof text !== 'string' || text.trim() === '') throw new Error(`text ${i} is empty: remove it or give it some words`);
      const enc = this.text.encode(text, maxLength);
      if (enc.truncated) truncated++;
      return { ids: enc.ids };
    });
    if (truncated > 0) console.warn(`layerwise: ${truncated} of ${texts.length} texts are longer than ${maxLength} tokens and were truncated`);
    return out;
  }

  /** Runs tokenized inputs in length-sorted batches, handing each batch's outputs to `consume`. */
  private async forEachBatch(
    inputs: Tokenized[],
    request: { layers: number[]; attentions?: boolean; components?: boolean },
    options: ExtractOptions,
    consume: (items: number[], out: Awaited<ReturnType<TappedModel['run']>>) => void,
  ): Promise<void> {
    const batchSize = options.batchSize ?? DEFAULTS.batchSize;
    // Bound one batch's activations (batch × seq tokens) so long texts cannot exhaust memory.
    const batches = planBatches(inputs.map((t) => t.ids.length), batchSize, Math.max(4096, batchSize * 64));
    let done = 0;
    options.onProgress?.({ done, total: inputs.length });
    for (const items of batches) {
      const out = await this.model.run(items.map((i) => inputs[i].ids), this.tokenizer.pad_token_id ?? 0, request);
      consume(items, out);
      done += items.length;
      options.onProgress?.({ done, total: inputs.length });
    }
  }

  /** One pooled vector per text and hidden state. Cached on disk by model, pooling, max length and texts. */
  async embed(texts: string[], options: ExtractOptions & { pooling?: SentencePooling } = {}): Promise<SentenceVectors> {
    const pooling = options.pooling ?? DEFAULTS.sentencePooling;
    const layers = this.layersOf(options);
    const maxLength = this.lengthLimit(options.maxLength);
    const dim = this.hiddenSize;
    const key = cacheKey([this.fingerprint, 'sentences', pooling, maxLength, layers], texts);
    const useCache = options.cache ?? true;
    const cached = useCache ? this.cache.read(key, layers.length, texts.length, dim) : undefined;
    if (cached) {
      options.onProgress?.({ done: texts.length, total: texts.length });
      return new SentenceVectors(new LayerStack(layers, cached, texts.length, dim), texts, pooling, this.name);
    }
    const inputs = this.tokenizeTexts(texts, maxLength);
    const hiddenStates = layers.map(() => new Float32Array(texts.length * dim));
    await this.forEachBatch(inputs, { layers }, options, (items, out) => {
      layers.forEach((l, k) => {
        const batch = out.hiddenStates.get(l)!;
        items.forEach((item, row) => poolSpan(batch, out.seqLen, dim, row, 0, inputs[item].ids.length, pooling, hiddenStates[k], item * dim));
      });
    });
    if (useCache) this.cache.write(key, hiddenStates, texts.length, dim, { model: this.name, pooling, layers: layers.join(',') });
    return new SentenceVectors(new LayerStack(layers, hiddenStates, texts.length, dim), texts, pooling, this.name);
  }

  /**
   * One vector per word of pre-tokenized sentences (CoNLL-U words): each word's subword
   * tokens pooled (`first`, `mean`, `last`), tokens split as Hugging Face's `is_split_into_words`.
   */
  async embedWords(sentences: string[][], options: ExtractOptions & { pooling?: WordPooling } = {}): Promise<WordVectors> {
    const pooling = options.pooling ?? DEFAULTS.wordPooling;
    const layers = this.layersOf(options);
    const dim = this.hiddenSize;
    const sentenceOffsets = new Int32Array(sentences.length + 1);
    sentences.forEach((words, s) => (sentenceOffsets[s + 1] = sentenceOffsets[s] + words.length));
    const rows = sentenceOffsets[sentences.length];
    const key = cacheKey([this.fingerprint, 'words', pooling, layers], sentences.map((w) => w.join('\u0001')));
    const useCache = options.cache ?? true;
    const cached = useCache ? this.cache.read(key, layers.length, rows, dim) : undefined;
    if (cached) {
      options.onProgress?.({ done: sentences.length, total: sentences.length });
      return new WordVectors(new LayerStack(layers, cached, rows, dim), sentenceOffsets, pooling, this.name);
    }
    // A sentence longer than the model's limit is cut into consecutive word chunks that fit,
    // each run on its own (less context for those words, but every word gets a vector).
    const inputs: Array<Tokenized & { firstRow: number }> = [];
    let split = 0;
    sentences.forEach((words, s) => {
      if (words.length === 0) throw new Error(`sentence ${s} has no words`);
      const whole = this.text.encodeWords(words);
      if (whole.ids.length <= this.maxLength) {
        inputs.push({ ...whole, firstRow: sentenceOffsets[s] });
        return;
      }
      split++;
      let from = 0;
      while (from < words.length) {
        let to = from + 1;
        while (to < words.length && whole.wordEnds![to] - whole.wordStarts![from] + this.text.specialCount <= this.maxLength) to++;
        const chunk = this.text.encodeWords(words.slice(from, to));
        if (chunk.ids.length > this.maxLength) throw new Error(`sentence ${s}: word ${from} alone has more tokens than the model's ${this.maxLength}`);
        inputs.push({ ...chunk, firstRow: sentenceOffsets[s] + from });
        from = to;
      }
    });
    if (split > 0) console.warn(`layerwise: ${split} of ${sentences.length} sentences are longer than ${this.maxLength} tokens and were cut into pieces`);
    const hiddenStates = layers.map(() => new Float32Array(rows * dim));
    await this.forEachBatch(inputs, { layers }, options, (items, out) => {
      layers.forEach((l, k) => {
        const batch = out.hiddenStates.get(l)!;
        items.forEach((item, row) => {
          const { wordStarts, wordEnds, firstRow } = inputs[item];
          for (let w = 0; w < wordStarts!.length; w++) {
            poolSpan(batch, out.seqLen, dim, row, wordStarts![w], wordEnds![w], pooling, hiddenStates[k], (firstRow + w) * dim);
          }
        });
      });
    });
    if (useCache) this.cache.write(key, hiddenStates, rows, dim, { model: this.name, pooling, layers: layers.join(',') });
    return new WordVectors(new LayerStack(layers, hiddenStates, rows, dim), sentenceOffsets, pooling, this.name);
  }

  /** Every token's hidden states (and optionally attention maps and embedding components) per text. */
  async embedTokens(texts: string[], options: TokenOptions = {}): Promise<ActivationCache[]> {
    const layers = this.layersOf(options);
    const dim = this.hiddenSize;
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

  /** Frees ONNX Runtime's sessions. */
  async dispose(): Promise<void> {
    await this.model.release();
  }
}
