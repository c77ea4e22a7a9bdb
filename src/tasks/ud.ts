import type { Random } from '../core/random.js';
import { assembleTask, type LabelledExample, type TaskMeta } from './assemble.js';
import type { ConlluSentence, ConlluWord } from './conllu.js';
import type { TaskSource } from './source.js';
import { baseRelation, dependent, rootWord, treeDepth } from './tree.js';
import type { Language, ProbingTask, TaskSentence } from './types.js';

/**
 * Probing tasks derived from Universal Dependencies treebanks. Splits are fixed: the
 * treebank's dev file is the probe's train split and its test file the test split (the
 * treebanks' own train files are not shipped; see data/README.md).
 */
export interface Treebank {
  language: Language;
  prefix: string; // prepended to task names: '' for English, 'ru.' for Russian
  title: string;
  train: string; // relative to the data directory
  test: string;
}

export const TREEBANKS: readonly Treebank[] = [
  { language: 'en', prefix: '', title: 'UD English EWT', train: 'ud-english-ewt/en_ewt-ud-dev.conllu', test: 'ud-english-ewt/en_ewt-ud-test.conllu' },
  { language: 'ru', prefix: 'ru.', title: 'UD Russian GSD', train: 'ud-russian-gsd/ru_gsd-ud-dev.conllu', test: 'ud-russian-gsd/ru_gsd-ud-test.conllu' },
];

/** An inclusive range of counts with its label. */
export interface Bin {
  label: string;
  min: number;
  max: number;
}

/** Sentence length in words, SentEval's bins; shorter or longer sentences are left out. */
export const SENTLEN_BINS: readonly Bin[] = [
  [5, 8], [9, 12], [13, 16], [17, 20], [21, 25], [26, 29], [30, 33], [34, 70],
].map(([min, max]) => ({ label: `${min}-${max}`, min, max }));

/** Tree depth in words (root alone = 1); bins merge the rare shallow and deep ends. */
export const TREEDEPTH_BINS: readonly Bin[] = [
  { label: '1-2', min: 1, max: 2 },
  ...[3, 4, 5, 6, 7].map((d) => ({ label: String(d), min: d, max: d })),
  { label: '8-9', min: 8, max: 9 },
  { label: '10+', min: 10, max: Infinity },
];

function binLabel(bins: readonly Bin[], n: number): string | undefined {
  return bins.find((b) => n >= b.min && n <= b.max)?.label;
}

/** What deriving one split of a UD task needs. */
interface SplitInput {
  sentences: readonly ConlluSentence[];
  source: TaskSource;
  random: Random;
}

interface UdTaskSpec extends Omit<TaskMeta, 'language'> {
  labelOrder?: readonly string[];
  derive(input: SplitInput): LabelledExample[];
}

function wordTask(label: (w: ConlluWord) => string | undefined): UdTaskSpec['derive'] {
  return ({ sentences, source }) =>
    sentences.flatMap((s) =>
      s.words.flatMap((w, word) => {
        const l = label(w);
        return l === undefined ? [] : [{ sentence: source.view(s), word, label: l }];
      }),
    );
}

function sentenceTask(label: (s: ConlluSentence) => string | undefined): UdTaskSpec['derive'] {
  return ({ sentences, source }) =>
    sentences.flatMap((s) => {
      const l = label(s);
      return l === undefined ? [] : [{ sentence: source.view(s), label: l }];
    });
}

/** Tense of the root, if the root is a finite verb form (participles' Tense is aspect-like). */
export function rootTense(s: ConlluSentence): string | undefined {
  const root = rootWord(s.words);
  return root?.feats.VerbForm === 'Fin' ? root.feats.Tense : undefined;
}

/** Number of the root's first dependent with base relation `relation` (nsubj, obj). */
export function rootArgumentNumber(s: ConlluSentence, relation: string): string | undefined {
  const root = rootWord(s.words);
  return root && dependent(s.words, root, relation)?.feats.Number;
}

/**
 * Bigram shift (SentEval): a seeded half of the sentences get one random pair of adjacent,
 * different words swapped. Every sentence, shifted or not, is shown as its words joined by
 * spaces, so the original `# text` spacing cannot give the answer away. Sentences without
 * two adjacent different words are left out.
 */
export function bigramShift({ sentences, random }: SplitInput): LabelledExample[] {
  const candidates = sentences.filter((s) => s.words.some((w, i) => i > 0 && w.form !== s.words[i - 1].form));
  const shifted = new Set(random.shuffle([...candidates.keys()]).slice(0, Math.floor(candidates.length / 2)));
  return candidates.map((s, i) => {
    const words = s.words.map((w) => w.form);
    if (!shifted.has(i)) return { sentence: { id: `${s.sentId}/spaced`, text: words.join(' '), words }, label: 'original' };
    const pairs = words.flatMap((w, j) => (j > 0 && w !== words[j - 1] ? [j] : []));
    const j = pairs[random.int(pairs.length)];
    [words[j - 1], words[j]] = [words[j], words[j - 1]];
    const sentence: TaskSentence = { id: `${s.sentId}/shifted`, text: words.join(' '), words };
    return { sentence, label: 'shifted' };
  });
}

const UD_TASKS: readonly UdTaskSpec[] = [
  { name: 'upos', level: 'word', category: 'syntax', description: 'universal part of speech of each word', derive: wordTask((w) => (w.upos === '_' ? undefined : w.upos)) },
  { name: 'deprel', level: 'word', category: 'syntax', description: 'dependency relation of each word to its head, subtypes merged (nsubj:pass → nsubj)', derive: wordTask((w) => baseRelation(w.deprel)) },
  { name: 'morph.Number', level: 'word', category: 'syntax', description: 'Number feature of each word that has one', derive: wordTask((w) => w.feats.Number) },
  { name: 'morph.Tense', level: 'word', category: 'syntax', description: 'Tense feature of each word that has one', derive: wordTask((w) => w.feats.Tense) },
  { name: 'sentlen', level: 'sentence', category: 'surface', description: 'number of words, in SentEval bins 5-8 … 34-70 (other lengths left out)', labelOrder: SENTLEN_BINS.map((b) => b.label), derive: sentenceTask((s) => binLabel(SENTLEN_BINS, s.words.length)) },
  { name: 'treedepth', level: 'sentence', category: 'syntax', description: 'depth of the dependency tree in words, binned 1-2, 3 … 7, 8-9, 10+', labelOrder: TREEDEPTH_BINS.map((b) => b.label), derive: sentenceTask((s) => binLabel(TREEDEPTH_BINS, treeDepth(s.words))) },
  { name: 'bshift', level: 'sentence', category: 'syntax', description: 'whether two adjacent words were swapped (seeded half of the sentences)', labelOrder: ['original', 'shifted'], derive: bigramShift },
  { name: 'tense', level: 'sentence', category: 'semantics', description: 'Tense of the root when it is a finite verb', derive: sentenceTask(rootTense) },
  { name: 'subjnum', level: 'sentence', category: 'semantics', description: "Number of the root's subject (nsubj, any subtype)", derive: sentenceTask((s) => rootArgumentNumber(s, 'nsubj')) },
  { name: 'objnum', level: 'sentence', category: 'semantics', description: "Number of the root's direct object (obj)", derive: sentenceTask((s) => rootArgumentNumber(s, 'obj')) },
];

/** A UD task as the registry sees it: metadata, plus how to build it. */
export interface UdTaskEntry {
  meta: TaskMeta;
  build(source: TaskSource): ProbingTask;
}

export const udTaskEntries: readonly UdTaskEntry[] = TREEBANKS.flatMap((bank) =>
  UD_TASKS.map((spec): UdTaskEntry => {
    const meta: TaskMeta = { name: bank.prefix + spec.name, level: spec.level, category: spec.category, language: bank.language, description: `${bank.title}: ${spec.description}` };
    return {
      meta,
      build(source) {
        const derive = (split: 'train' | 'test') => spec.derive({ sentences: source.treebank(bank[split]), source, random: source.random(`${meta.name}:${split}`) });
        return assembleTask(meta, derive('train'), derive('test'), spec.labelOrder);
      },
    };
  }),
);
