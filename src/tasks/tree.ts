import type { ConlluWord } from './conllu.js';

/** The universal relation without its language-specific subtype: `nsubj:pass` → `nsubj`. */
export function baseRelation(deprel: string): string {
  const colon = deprel.indexOf(':');
  return colon < 0 ? deprel : deprel.slice(0, colon);
}

/** The first word attached to 0 (a well-formed UD tree has exactly one). */
export function rootWord(words: readonly ConlluWord[]): ConlluWord | undefined {
  return words.find((w) => w.head === 0);
}

/** The first dependent of `head` whose base relation is `relation`. */
export function dependent(words: readonly ConlluWord[], head: ConlluWord, relation: string): ConlluWord | undefined {
  return words.find((w) => w.head === head.id && baseRelation(w.deprel) === relation);
}

/**
 * Depth of the tree in words: the most words on a path from the root down to a leaf
 * (a one-word sentence has depth 1). Assumes an acyclic tree, as parseConllu guarantees.
 */
export function treeDepth(words: readonly ConlluWord[]): number {
  const depth = new Int32Array(words.length + 1); // depth[id], 0 = not yet known
  const of = (id: number): number => {
    if (id === 0) return 0;
    if (depth[id] === 0) depth[id] = of(words[id - 1].head) + 1;
    return depth[id];
  };
  let max = 0;
  for (const w of words) max = Math.max(max, of(w.id));
  return max;
}
