import { layerGeometry, type LayerGeometry } from '../core/geometry.js';
import { cosineSimilarity } from '../core/vectors.js';
import type { Encoder } from '../encoder/encoder.js';
import { attentionOverview } from '../viz/attention.js';
import { contextSimilarity, type ContextItem } from '../viz/context-similarity.js';
import type { Figure } from '../viz/figure.js';
import { layerSimilarity } from '../viz/layer-similarity.js';
import { embeddingScatter } from '../viz/scatter.js';

/** The lab's classic "same word, different meanings" sentences; the word studied is `bank`. */
export const BANK_SENTENCES: ReadonlyArray<{ label: string; words: string[] }> = [
  { label: 'river bank 1', words: 'They sat on the bank of the river .'.split(' ') },
  { label: 'river bank 2', words: 'The boat drifted toward the muddy bank .'.split(' ') },
  { label: 'money bank 1', words: 'She opened an account at the bank .'.split(' ') },
  { label: 'money bank 2', words: 'The bank approved my loan yesterday .'.split(' ') },
];

export interface Exploration {
  figures: Record<string, Figure>;
  stats: LayerGeometry[];
  /** Cosine between the two meanings and within each, per hidden state. */
  bank: { layer: number; same: number; different: number }[];
}

/**
 * What the lab looks at besides probes: per-layer geometry of sentence vectors (norms,
 * anisotropy, CKA between layers, a PCA scatter by sentiment), one word in different
 * contexts, and where attention goes.
 */
export async function explore(encoder: Encoder, sentences: { texts: string[]; labels: string[] }, attentionText: string): Promise<Exploration> {
  const figures: Record<string, Figure> = {};
  const pooled = await encoder.embed(sentences.texts, { pooling: 'mean' });
  const stats = layerGeometry(pooled);
  figures['layer-similarity'] = layerSimilarity(pooled, { title: 'How alike are the layers? Linear CKA of mean-pooled sentence vectors' });
  const last = encoder.numHiddenStates - 1;
  figures['sentence-scatter'] = embeddingScatter(pooled, { layers: [0, Math.round(last / 2), last], labels: sentences.labels, texts: sentences.texts, method: 'pca' });

  const words = await encoder.embedWords(BANK_SENTENCES.map((s) => s.words), { pooling: 'mean', cache: false });
  const items: ContextItem[] = BANK_SENTENCES.map((s, i) => ({ label: s.label, layers: words.layers, hiddenStates: words.rowAcrossLayers(words.wordRow(i, s.words.indexOf('bank'))) }));
  figures['context-bank'] = contextSimilarity(items, [['river bank 1', 'river bank 2'], ['money bank 1', 'money bank 2'], ['river bank 1', 'money bank 1'], ['river bank 2', 'money bank 2']], { title: '"bank" in different contexts: cosine similarity per layer' });
  const bank = words.layers.map((layer, k) => {
    const cos = (a: number, b: number) => cosineSimilarity(items[a].hiddenStates[k], items[b].hiddenStates[k]);
    return { layer, same: (cos(0, 1) + cos(2, 3)) / 2, different: (cos(0, 2) + cos(1, 3)) / 2 };
  });

  if (encoder.hasAttentions) {
    const [activations] = await encoder.embedTokens([attentionText], { attentions: true, layers: [0] });
    figures['attention-overview'] = attentionOverview(activations, { title: `Attention per head and layer: "${attentionText}"` });
  }
  return { figures, stats, bank };
}
