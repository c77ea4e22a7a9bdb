/**
 * Activations as objects, with one layer numbering everywhere — Hugging Face's: layer 0 is the
 * embeddings output (`hidden_states[0]`, named `emb`), layer k the output of encoder layer k.
 * Numbers stay in row-major Float32Arrays; these classes only name and slice them.
 *
 * | object | shape | rows are |
 * | --- | --- | --- |
 * | `Matrix` | [rows, cols] | anything (probe features) |
 * | `LayerStack.layer(k)` | [rows, hiddenSize] | texts, words or tokens |
 * | `ActivationCache.attention(k)` | [heads, seq, seq] | query tokens of one text |
 */

/** A row-major float32 matrix [rows, cols]. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** `emb` for layer 0, else the layer's number. */
export function layerName(layer: number): string {
  return layer === 0 ? 'emb' : String(layer);
}

/** Layer names `emb`, `1`, … `L` for a model with `numHiddenStates` = L + 1 hidden states. */
export function layerNames(numHiddenStates: number): string[] {
  return Array.from({ length: numHiddenStates }, (_, l) => layerName(l));
}

/** A layer given as a number or as `emb`. */
export type LayerRef = number | 'emb';

function layerIndex(ref: LayerRef): number {
  return ref === 'emb' ? 0 : ref;
}

/** Row `i` of a matrix, as a view (no copy). */
export function matrixRow(X: Matrix, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= X.rows) throw new Error(`row ${i} does not exist: the matrix has rows 0…${X.rows - 1}`);
  return X.data.subarray(i * X.cols, (i + 1) * X.cols);
}

/** The rows at `indices`, copied, in that order. */
export function selectRows(X: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float32Array(indices.length * X.cols);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!(r >= 0 && r < X.rows)) throw new Error(`row ${r} does not exist: the matrix has ${X.rows} rows`);
    data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), i * X.cols);
  }
  return { data, rows: indices.length, cols: X.cols };
}

/**
 * The vectors of the same rows (texts, words or tokens) at several layers: one [rows, hiddenSize]
 * matrix per layer, `layers` naming which layer each matrix is.
 */
export class LayerStack {
  readonly layers: readonly number[];
  readonly rows: number;
  readonly hiddenSize: number;
  private readonly byLayer: ReadonlyMap<number, Float32Array>;

  constructor(layers: readonly number[], matrices: readonly Float32Array[], rows: number, hiddenSize: number) {
    if (layers.length !== matrices.length) throw new Error(`a layer stack needs one matrix per layer: ${layers.length} layers, ${matrices.length} matrices`);
    if (new Set(layers).size !== layers.length) throw new Error(`layers ${layers.join(', ')} repeat`);
    matrices.forEach((m, k) => {
      if (m.length !== rows * hiddenSize) throw new Error(`layer ${layers[k]} holds ${m.length} values, expected ${rows} rows × ${hiddenSize}`);
    });
    this.layers = [...layers];
    this.rows = rows;
    this.hiddenSize = hiddenSize;
    this.byLayer = new Map(layers.map((l, k) => [l, matrices[k]]));
  }

  has(layer: LayerRef): boolean {
    return this.byLayer.has(layerIndex(layer));
  }

  /** One layer's vectors as a matrix [rows, hiddenSize] (a view, not a copy). */
  layer(layer: LayerRef): Matrix {
    const data = this.byLayer.get(layerIndex(layer));
    if (!data) throw new Error(`layer ${layer} is not in this stack; it holds layers ${this.layers.map(layerName).join(', ')}`);
    return { data, rows: this.rows, cols: this.hiddenSize };
  }

  /** Row `i`'s vector at one layer (a view). */
  row(i: number, layer: LayerRef): Float32Array {
    return matrixRow(this.layer(layer), i);
  }

  /** Row `i` at every layer of the stack, in `layers` order (views). */
  rowAcrossLayers(i: number): Float32Array[] {
    return this.layers.map((l) => this.row(i, l));
  }

  /** A new stack of the rows at `indices`, copied, in that order. */
  select(indices: ArrayLike<number>): LayerStack {
    return new LayerStack(this.layers, this.layers.map((l) => selectRows(this.layer(l), indices).data), indices.length, this.hiddenSize);
  }

  /** The mean vector of all rows at one layer. */
  mean(layer: LayerRef): Float32Array {
    const { data, rows, cols } = this.layer(layer);
    const sum = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) sum[c] += data[r * cols + c];
    return Float32Array.from(sum, (s) => s / rows);
  }

  /** The raw matrices in `layers` order (for writers that need every value). */
  matrices(): Float32Array[] {
    return this.layers.map((l) => this.byLayer.get(l)!);
  }
}

/** One vector per text (pooled over its tokens). */
export class SentenceVectors extends LayerStack {
  constructor(
    stack: LayerStack,
    readonly texts: readonly string[],
    /** How tokens were pooled (`cls`, `mean`, `max`). */
    readonly pooling: string,
    readonly model: string,
  ) {
    super(stack.layers, stack.matrices(), stack.rows, stack.hiddenSize);
    if (texts.length !== stack.rows) throw new Error(`${texts.length} texts for ${stack.rows} rows`);
  }
}

/** One vector per word of pre-tokenized sentences: rows are the words of all sentences, in order. */
export class WordVectors extends LayerStack {
  constructor(
    stack: LayerStack,
    /** Sentence s owns rows [sentenceOffsets[s], sentenceOffsets[s + 1]). */
    readonly sentenceOffsets: Int32Array,
    /** How a word's subword tokens were pooled (`first`, `mean`, `last`). */
    readonly pooling: string,
    readonly model: string,
  ) {
    super(stack.layers, stack.matrices(), stack.rows, stack.hiddenSize);
    if (sentenceOffsets[sentenceOffsets.length - 1] !== stack.rows) throw new Error(`sentence offsets end at ${sentenceOffsets[sentenceOffsets.length - 1]}, not at the ${stack.rows} rows`);
  }

  get sentences(): number {
    return this.sentenceOffsets.length - 1;
  }

  /** The row of word `word` (0-based) of sentence `sentence`. */
  wordRow(sentence: number, word: number): number {
    const start = this.sentenceOffsets[sentence];
    const end = this.sentenceOffsets[sentence + 1];
    if (start === undefined || end === undefined || !(word >= 0 && start + word < end)) throw new Error(`sentence ${sentence} has no word ${word}`);
    return start + word;
  }

  /** Word `word` of sentence `sentence` at one layer (a view). */
  word(sentence: number, word: number, layer: LayerRef): Float32Array {
    return this.row(this.wordRow(sentence, word), layer);
  }
}

/** Embedding lookups before they are summed: HF's `word_embeddings`, `position_embeddings`, `token_type_embeddings`. */
export type EmbeddingComponent = 'word' | 'position' | 'token_type';

/**
 * Every activation of one text, named like TransformerLens's activation cache:
 * `embeddings` (= layer 0), `embeddings.word|position|token_type`, `layer.K.output`,
 * `layer.K.attention.probs` (K = 1…L).
 */
export class ActivationCache {
  constructor(
    readonly text: string,
    readonly inputIds: readonly number[],
    readonly tokens: readonly string[],
    /** Hidden states over the text's tokens: rows are tokens. */
    readonly hiddenStates: LayerStack,
    /** Attention probabilities by layer (1…L): one [seq, seq] map per head, row = query token. */
    private readonly attentionMaps: ReadonlyMap<number, readonly Float32Array[]> = new Map(),
    /** Embedding lookups, each [seq, hiddenSize]. */
    private readonly embeddingComponents: Partial<Record<EmbeddingComponent, Float32Array>> = {},
  ) {}

  get numTokens(): number {
    return this.tokens.length;
  }

  /** Layers (1…L) whose attention probabilities were kept. */
  get attentionLayers(): number[] {
    return [...this.attentionMaps.keys()].sort((a, b) => a - b);
  }

  /** The attention maps of encoder layer `layer` (1…L), one [seq, seq] matrix per head; or one head's. */
  attention(layer: number): readonly Float32Array[];
  attention(layer: number, head: number): Matrix;
  attention(layer: number, head?: number): readonly Float32Array[] | Matrix {
    const heads = this.attentionMaps.get(layer);
    if (!heads) {
      const kept = this.attentionLayers;
      throw new Error(kept.length ? `no attention for layer ${layer}: layers ${kept[0]}…${kept.at(-1)} have attention (layer 0 is the embeddings)` : 'no attention maps were kept: run with { attentions: true }');
    }
    if (head === undefined) return heads;
    if (!heads[head]) throw new Error(`layer ${layer} has heads 0…${heads.length - 1}, not ${head}`);
    return { data: heads[head], rows: this.numTokens, cols: this.numTokens };
  }

  /** One embedding lookup as [seq, hiddenSize]. */
  component(name: EmbeddingComponent): Matrix {
    const data = this.embeddingComponents[name];
    if (!data) throw new Error(`no "${name}" embedding component: run with { components: true } (this model has ${Object.keys(this.embeddingComponents).join(', ') || 'none kept'})`);
    return { data, rows: this.numTokens, cols: this.hiddenStates.hiddenSize };
  }

  /** Every name `get` accepts for this text. */
  names(): string[] {
    return [
      ...(this.hiddenStates.has(0) ? ['embeddings'] : []),
      ...Object.keys(this.embeddingComponents).map((c) => `embeddings.${c}`),
      ...this.hiddenStates.layers.filter((l) => l > 0).map((l) => `layer.${l}.output`),
      ...this.attentionLayers.map((l) => `layer.${l}.attention.probs`),
    ];
  }

  /** An activation by name: `[seq, hiddenSize]`, or `[heads · seq, seq]` for attention probabilities. */
  get(name: string): Matrix {
    if (name === 'embeddings') return this.hiddenStates.layer(0);
    const component = /^embeddings\.(word|position|token_type)$/.exec(name);
    if (component) return this.component(component[1] as EmbeddingComponent);
    const output = /^layer\.(\d+)\.output$/.exec(name);
    if (output) return this.hiddenStates.layer(Number(output[1]));
    const probs = /^layer\.(\d+)\.attention\.probs$/.exec(name);
    if (probs) {
      const heads = this.attention(Number(probs[1]));
      const data = new Float32Array(heads.length * this.numTokens * this.numTokens);
      heads.forEach((h, i) => data.set(h, i * h.length));
      return { data, rows: heads.length * this.numTokens, cols: this.numTokens };
    }
    throw new Error(`unknown activation "${name}"; this text has: ${this.names().join(', ')}`);
  }
}
