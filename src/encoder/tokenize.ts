import type { PreTrainedTokenizer } from '@huggingface/transformers';

/** A tokenized text: ids with special tokens; for word-level input, each word's token span. */
export interface Tokenized {
  ids: number[];
  /** Word w covers tokens [wordStarts[w], wordEnds[w]). Only for pre-tokenized input. */
  wordStarts?: Int32Array;
  wordEnds?: Int32Array;
}

interface TokenizerJson {
  pre_tokenizer?: { type?: string; pretokenizers?: Array<{ type?: string }> } | null;
}

function isByteLevel(tokenizer: PreTrainedTokenizer): boolean {
  const pre = (tokenizer as unknown as { _tokenizerJSON?: TokenizerJson })._tokenizerJSON?.pre_tokenizer;
  return pre?.type === 'ByteLevel' || (pre?.pretokenizers ?? []).some((p) => p.type === 'ByteLevel');
}

/** The special tokens a tokenizer puts before and after a single text. */
function specialAffixes(tokenizer: PreTrainedTokenizer): { prefix: number[]; suffix: number[] } {
  const probe = 'hello';
  const bare = tokenizer.encode(probe, { add_special_tokens: false });
  const full = tokenizer.encode(probe, { add_special_tokens: true });
  const at = full.findIndex((_, i) => bare.every((id, j) => full[i + j] === id));
  return { prefix: full.slice(0, at), suffix: full.slice(at + bare.length) };
}

export class TextTokenizer {
  private readonly prefix: number[];
  private readonly suffix: number[];
  private readonly byteLevel: boolean;
  private readonly wordCache = new Map<string, number[]>();

  constructor(readonly tokenizer: PreTrainedTokenizer) {
    ({ prefix: this.prefix, suffix: this.suffix } = specialAffixes(tokenizer));
    this.byteLevel = isByteLevel(tokenizer);
  }

  /** Number of special tokens added around every text. */
  get specialCount(): number {
    return this.prefix.length + this.suffix.length;
  }

  /** Token ids of `text` with special tokens, truncated to `maxLength` (the final special tokens kept). */
  encode(text: string, maxLength: number): { ids: number[]; truncated: boolean } {
    const body = this.tokenizer.encode(text, { add_special_tokens: false });
    const room = maxLength - this.specialCount;
    const truncated = body.length > room;
    return { ids: [...this.prefix, ...(truncated ? body.slice(0, room) : body), ...this.suffix], truncated };
  }

  /**
   * Tokens of pre-tokenized words, as Hugging Face's `is_split_into_words=True`: each word on
   * its own, with a prefix space for byte-level BPE (RoBERTa's `add_prefix_space=True`).
   */
  encodeWords(words: string[]): Tokenized {
    const ids = [...this.prefix];
    const wordStarts = new Int32Array(words.length);
    const wordEnds = new Int32Array(words.length);
    words.forEach((word, w) => {
      let pieces = this.wordCache.get(word);
      if (!pieces) {
        pieces = this.tokenizer.encode(this.byteLevel ? ` ${word}` : word, { add_special_tokens: false });
        this.wordCache.set(word, pieces);
      }
      wordStarts[w] = ids.length;
      ids.push(...pieces);
      wordEnds[w] = ids.length;
      if (pieces.length === 0) throw new Error(`word ${w} ("${word}") produces no tokens; remove empty words`);
    });
    ids.push(...this.suffix);
    return { ids, wordStarts, wordEnds };
  }
}
