import type { Random } from '../core/random.js';
import { assembleTask, type LabelledExample, type TaskMeta } from './assemble.js';
import { balanceWithinStrata } from './balance.js';
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

/**
 * Sentence length in words, in the six bins of SentEval's SentLen (Conneau et al. 2018, "What
 * you can cram into a single $&!#* vector", ACL); shorter or longer sentences are left out.
 */
export const SENTLEN_BINS: readonly Bin[] = [
  [5, 8], [9, 12], [13, 16], [17, 20], [21, 25], [26, 28],
].map(([min, max]) => ({ label: `${min}-${max}`, min, max }));

/**
 * Dependency tree depth in words (root alone = 1), in three classes. Three, because depth
 * follows length closely (r ≈ 0.85 on EWT) and only these classes co-occur at enough sentence
 * lengths for the length-stratified sample (see `treedepth`) to keep a few hundred sentences.
 */
export const TREEDEPTH_BINS: readonly Bin[] = [
  { label: '1-4', min: 1, max: 4 },
  { label: '5', min: 5, max: 5 },
  { label: '6+', min: 6, max: Infinity },
];

/** SentEval's Tense is past (VBD) vs present (VBP/VBZ); UD's Fut (Russian perfectives) is left out. */
export const TENSE_LABELS: readonly string[] = ['Past', 'Pres'];
/** SentEval's SubjNum/ObjNum: singular (NN) vs plural (NNS) common nouns. */
export const NUMBER_LABELS: readonly string[] = ['Sing', 'Plur'];

function binLabel(bins: readonly Bin[], n: number): string | undefined {
  return bins.find((b) => n >= b.min && n <= b.max)?.label;
}

/** What deriving one split of a UD task needs. */
interface SplitInput {
  sentences: readonly ConlluSentence[];
  source: TaskSource;
  random: Random;
}

interface Splits {
  train: LabelledExample[];
  test: LabelledExample[];
}

interface UdTaskSpec extends Omit<TaskMeta, 'language'> {
  labelOrder?: readonly string[];
  derive(input: SplitInput): LabelledExample[];
  /** Steps that need both splits (targeted tasks: disjoint target forms, then class balance). */
  finish?(splits: Splits, random: Record<keyof Splits, Random>): Splits;
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

/** The word a targeted sentence task is about, and its label. */
export interface Target {
  word: ConlluWord;
  label: string;
}

const isFiniteWithTense = (w: ConlluWord) => w.feats.VerbForm === 'Fin' && TENSE_LABELS.includes(w.feats.Tense);

/**
 * The main-clause verb of SentEval's Tense, in UD terms: the root when it is a finite verb
 * form; when the root is a non-verbal predicate (UD makes "happy" the root of "She was happy"),
 * its finite copula, which is the verb a constituency parse makes the head (VBD "was").
 * A non-finite verb root with a finite auxiliary (has gone, will go, was built) is left out:
 * its verb is a participle or infinitive, which SentEval's VBD/VBP/VBZ rule also leaves out.
 */
export function tenseTarget(s: ConlluSentence): Target | undefined {
  const root = rootWord(s.words);
  if (!root) return undefined;
  if (root.feats.VerbForm === 'Fin') return isFiniteWithTense(root) ? { word: root, label: root.feats.Tense } : undefined;
  if (root.upos === 'VERB' || root.upos === 'AUX') return undefined;
  const copula = dependent(s.words, root, 'cop');
  return copula && isFiniteWithTense(copula) ? { word: copula, label: copula.feats.Tense } : undefined;
}

/**
 * The root's first dependent with base relation `relation` (nsubj, any subtype; obj), when it
 * is a common noun (UPOS NOUN, as SentEval's NN/NNS) with Number Sing or Plur. A pronoun or
 * proper-noun argument leaves the sentence out (no second argument is looked for).
 */
export function argumentTarget(s: ConlluSentence, relation: string): Target | undefined {
  const root = rootWord(s.words);
  const argument = root && dependent(s.words, root, relation);
  return argument && argument.upos === 'NOUN' && NUMBER_LABELS.includes(argument.feats.Number) ? { word: argument, label: argument.feats.Number } : undefined;
}

/** The lower-cased form of a targeted example's target word. */
function targetForm(ex: LabelledExample): string {
  return ex.sentence.words[ex.target!].toLowerCase();
}

/**
 * A SentEval-style targeted task (Tense, SubjNum, ObjNum). As SentEval, target words never
 * cross splits: test examples whose target form (lower-cased) occurs as a target in train are
 * dropped, so a probe cannot pass by remembering words. Then each split's classes are balanced
 * by downsampling the majority (seeded).
 */
function targetedTask(find: (s: ConlluSentence) => Target | undefined, labels: readonly string[]): Pick<UdTaskSpec, 'labelOrder' | 'derive' | 'finish'> {
  return {
    labelOrder: labels,
    derive: ({ sentences, source }) =>
      sentences.flatMap((s) => {
        const t = find(s);
        return t ? [{ sentence: source.view(s), target: t.word.id - 1, label: t.label }] : [];
      }),
    finish({ train, test }, random) {
      const trainForms = new Set(train.map(targetForm));
      const unseen = test.filter((ex) => !trainForms.has(targetForm(ex)));
      const wholeSplit = () => 0; // one stratum: plain class balance
      return { train: balanceWithinStrata(train, labels, wholeSplit, random.train), test: balanceWithinStrata(unseen, labels, wholeSplit, random.test) };
    },
  };
}

/**
 * Dependency tree depth, decorrelated from length: within every sentence length (in words)
 * each depth class keeps as many sentences as the rarest class has at that length (seeded
 * sample), so a classifier that only sees the length is at chance. SentEval's TreeDepth is
 * the depth of a constituency tree; this is the dependency-tree analogue.
 */
function treeDepthTask({ sentences, source, random }: SplitInput): LabelledExample[] {
  const all = sentenceTask((s) => binLabel(TREEDEPTH_BINS, treeDepth(s.words)))({ sentences, source, random });
  return balanceWithinStrata(all, TREEDEPTH_BINS.map((b) => b.label), (ex) => ex.sentence.words.length, random);
}

/** A word made only of quotation marks (", “, ”, „, «, », ‘, ’, ', `, and PTB's `` and ''). */
const QUOTE = /^["“”„«»‘’'`]+$/u;

/**
 * Where a bigram shift may go: positions i (0-based) such that words i and i + 1 can be swapped.
 * As SentEval's BShift, never the first word; never punctuation on either side (a swapped
 * comma is visible without syntax); never two equal forms (the swap would change nothing).
 * A sentence with a quotation mark has none (quotes make word order unusual).
 */
export function shiftPositions(words: readonly ConlluWord[]): number[] {
  if (words.some((w) => QUOTE.test(w.form))) return [];
  const swappable = (w: ConlluWord) => w.upos !== 'PUNCT';
  return words.flatMap((w, i) => (i >= 1 && i + 1 < words.length && swappable(w) && swappable(words[i + 1]) && w.form !== words[i + 1].form ? [i] : []));
}

/**
 * Bigram shift (Conneau et al. 2018): a seeded half of the sentences that have a shift position
 * get one random pair of adjacent words swapped (see shiftPositions). Every sentence, shifted or
 * not, is shown as its words joined by spaces, so the original `# text` spacing cannot give the
 * answer away. Shifted examples record the swap.
 */
export function bigramShift({ sentences, random }: SplitInput): LabelledExample[] {
  const candidates = sentences.map((s) => ({ s, positions: shiftPositions(s.words) })).filter((c) => c.positions.length > 0);
  const shifted = new Set(random.shuffle([...candidates.keys()]).slice(0, Math.floor(candidates.length / 2)));
  return candidates.map(({ s, positions }, c) => {
    const words = s.words.map((w) => w.form);
    if (!shifted.has(c)) return { sentence: { id: `${s.sentId}/spaced`, corpusId: s.sentId, text: words.join(' '), words }, label: 'original' };
    const i = positions[random.int(positions.length)];
    [words[i], words[i + 1]] = [words[i + 1], words[i]];
    const sentence: TaskSentence = { id: `${s.sentId}/shifted`, corpusId: s.sentId, text: words.join(' '), words };
    return { sentence, swap: i, label: 'shifted' };
  });
}

const UD_TASKS: readonly UdTaskSpec[] = [
  { name: 'upos', level: 'word', category: 'syntax', description: 'universal part of speech of each word', derive: wordTask((w) => (w.upos === '_' ? undefined : w.upos)) },
  { name: 'deprel', level: 'word', category: 'syntax', description: 'dependency relation of each word to its head, subtypes merged (nsubj:pass → nsubj)', derive: wordTask((w) => baseRelation(w.deprel)) },
  { name: 'morph.Number', level: 'word', category: 'syntax', description: 'Number feature of each word that has one', derive: wordTask((w) => w.feats.Number) },
  { name: 'morph.Tense', level: 'word', category: 'syntax', description: 'Tense feature of each word that has one', derive: wordTask((w) => w.feats.Tense) },
  { name: 'sentlen', level: 'sentence', category: 'surface', description: "number of words in SentEval's 6 bins 5-8 … 26-28 (other lengths left out)", labelOrder: SENTLEN_BINS.map((b) => b.label), derive: sentenceTask((s) => binLabel(SENTLEN_BINS, s.words.length)) },
  { name: 'treedepth', level: 'sentence', category: 'syntax', description: 'dependency tree depth (1-4, 5, 6+ words), balanced within each sentence length so length alone is at chance', labelOrder: TREEDEPTH_BINS.map((b) => b.label), derive: treeDepthTask },
  { name: 'bshift', level: 'sentence', category: 'syntax', description: 'whether two adjacent words (not the first, not punctuation) were swapped, in a seeded half of the sentences', labelOrder: ['original', 'shifted'], derive: bigramShift },
  { name: 'tense', level: 'sentence', category: 'semantics', description: 'Past or Pres of the main-clause verb (finite root, or the copula of a non-verbal root); target forms unseen in train, balanced', ...targetedTask(tenseTarget, TENSE_LABELS) },
  { name: 'subjnum', level: 'sentence', category: 'semantics', description: "Sing or Plur of the root's subject when a common noun; target forms unseen in train, balanced", ...targetedTask((s) => argumentTarget(s, 'nsubj'), NUMBER_LABELS) },
  { name: 'objnum', level: 'sentence', category: 'semantics', description: "Sing or Plur of the root's direct object when a common noun; target forms unseen in train, balanced", ...targetedTask((s) => argumentTarget(s, 'obj'), NUMBER_LABELS) },
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
        const random = { train: source.random(`${meta.name}:train`), test: source.random(`${meta.name}:test`) };
        const derive = (split: keyof Splits) => spec.derive({ sentences: source.treebank(bank[split]), source, random: random[split] });
        const splits = { train: derive('train'), test: derive('test') };
        const { train, test } = spec.finish ? spec.finish(splits, random) : splits;
        return assembleTask(meta, train, test, spec.labelOrder);
      },
    };
  }),
);
