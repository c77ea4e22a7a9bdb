import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readConllu } from '../src/tasks/conllu.js';
import { DEFAULT_DATA_DIR, loadTasks } from '../src/tasks/registry.js';
import { treeDepth } from '../src/tasks/tree.js';
import type { ProbingTask, Split } from '../src/tasks/types.js';
import { TREEDEPTH_BINS, type Bin } from '../src/tasks/ud.js';
import { bagOfWords, bowBaseline, lengthBaseline, lexicalBaseline, majorityBaseline, seenInTraining } from '../src/study/baselines.js';

/**
 * Baselines against Python references: majority, length and lexical rules recounted with
 * collections.Counter from the raw words and labels; bag-of-words features rebuilt from the raw
 * words and the probe checked against scikit-learn's LogisticRegression at the same λ.
 */
const COUNTS = String.raw`
import collections, json, sys
d = json.load(sys.stdin)
def most_frequent(keys, labels, k):
    c = collections.defaultdict(lambda: [0] * k)
    for key, y in zip(keys, labels):
        c[key][y] += 1
    return {key: v.index(max(v)) for key, v in c.items()}
k = d["classes"]
overall = [0] * k
for y in d["train_labels"]:
    overall[y] += 1
majority = overall.index(max(overall))
rule = most_frequent(d["train_keys"], d["train_labels"], k)
predicted = [rule.get(key, majority) for key in d["test_keys"]]
acc = lambda p: sum(a == b for a, b in zip(p, d["test_labels"])) / len(p)
print(json.dumps({"majority": acc([majority] * len(predicted)), "rule": acc(predicted), "predicted": predicted,
                  "seen": [int(key in rule) for key in d["test_keys"]]}))
`;

const SKLEARN = String.raw`
import collections, json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler, normalize
d = json.load(sys.stdin)
freq = collections.Counter(w.lower() for words in d["train_words"] for w in words)
vocab = [w for w, _ in sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))][:d["size"]]
col = {w: i for i, w in enumerate(vocab)}
def features(sentences):
    X = np.zeros((len(sentences), len(vocab)))
    for r, words in enumerate(sentences):
        for w in words:
            if w.lower() in col:
                X[r, col[w.lower()]] += 1
    return normalize(X)
Xtr, Xte = features(d["train_words"]), features(d["test_words"])
scaler = StandardScaler().fit(Xtr)
C = 1 / (d["l2"] * len(Xtr))
clf = LogisticRegression(C=C, max_iter=5000, tol=1e-8).fit(scaler.transform(Xtr), d["train_labels"])
print(json.dumps({"vocab": vocab, "row0": Xte[0].tolist(), "row_sums": Xtr.sum(axis=1).tolist(),
                  "predicted": clf.predict(scaler.transform(Xte)).tolist()}))
`;

const python = <T>(script: string, input: unknown): T => JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 })) as T;
const labels = (split: Split) => split.examples.map((ex) => ex.label);
const sentenceWords = (split: Split) => split.examples.map((ex) => split.sentences[ex.sentence].words);
interface Counted {
  majority: number;
  rule: number;
  predicted: number[];
  seen: number[];
}
const counted = (task: ProbingTask, key: (split: Split) => (string | number)[]) =>
  python<Counted>(COUNTS, { classes: task.labels.length, train_keys: key(task.train), train_labels: labels(task.train), test_keys: key(task.test), test_labels: labels(task.test) });

/** The previous treedepth: every sentence, depth binned 1-2, 3, 4, 5, 6, 7, 8-9, 10+. */
const EIGHT_BINS: readonly Bin[] = [
  { label: '1-2', min: 1, max: 2 },
  ...[3, 4, 5, 6, 7].map((d) => ({ label: String(d), min: d, max: d })),
  { label: '8-9', min: 8, max: 9 },
  { label: '10+', min: 10, max: Infinity },
];

/** Tree depth in `bins` for every sentence of the treebank: the task without the length-stratified sample. */
function unstratifiedTreeDepth(dev: string, test: string, bins: readonly Bin[]): ProbingTask {
  const split = (file: string): Split => {
    const sentences = readConllu(join(DEFAULT_DATA_DIR, file));
    return {
      sentences: sentences.map((s) => ({ id: s.sentId, text: s.text, words: s.words.map((w) => w.form) })),
      examples: sentences.map((s, i) => ({ sentence: i, label: bins.findIndex((b) => treeDepth(s.words) >= b.min && treeDepth(s.words) <= b.max) })),
    };
  };
  return { name: 'treedepth (all sentences)', level: 'sentence', category: 'syntax', language: 'en', description: '', labels: bins.map((b) => b.label), train: split(dev), test: split(test) };
}

describe('baselines', () => {
  const tasks = new Map(loadTasks(['upos', 'treedepth', 'ru.treedepth', 'sentlen', 'tense', 'sst2'], { sst2TrainSize: 2000 }).map((t) => [t.name, t]));

  it('word tasks: majority, lexical and the seen/unseen mask equal a Python recount (upos)', () => {
    const upos = tasks.get('upos')!;
    const types = (split: Split) => split.examples.map((ex) => split.sentences[ex.sentence].words[ex.word!].toLowerCase());
    const ref = counted(upos, types);
    const lexical = lexicalBaseline(upos);
    assert.deepEqual([...lexical.predictions], ref.predicted);
    assert.equal(lexical.accuracy, ref.rule);
    assert.equal(majorityBaseline(upos).accuracy, ref.majority);
    assert.deepEqual([...seenInTraining(upos)], ref.seen);
    assert.ok(lexical.accuracy > 0.8 && ref.seen.some((s) => s === 0));
  });

  it('sentence length: the length rule equals a Python recount; treedepth before and after stratifying by length', (t) => {
    const lengths = (split: Split) => sentenceWords(split).map((w) => w.length);
    for (const task of [tasks.get('sentlen')!, tasks.get('tense')!, tasks.get('treedepth')!, tasks.get('ru.treedepth')!]) {
      const ref = counted(task, lengths);
      assert.deepEqual([...lengthBaseline(task).predictions], ref.predicted, task.name);
      assert.equal(majorityBaseline(task).accuracy, ref.majority, task.name);
    }
    assert.equal(lengthBaseline(tasks.get('sentlen')!).accuracy, 1); // the bins are a function of length
    const files = { treedepth: ['ud-english-ewt/en_ewt-ud-dev.conllu', 'ud-english-ewt/en_ewt-ud-test.conllu'], 'ru.treedepth': ['ud-russian-gsd/ru_gsd-ud-dev.conllu', 'ud-russian-gsd/ru_gsd-ud-test.conllu'] } as const;
    for (const [name, [dev, test]] of Object.entries(files)) {
      const scores = (task: ProbingTask) => [lengthBaseline(task).accuracy, majorityBaseline(task).accuracy];
      const [l8, m8] = scores(unstratifiedTreeDepth(dev, test, EIGHT_BINS));
      const [l3, m3] = scores(unstratifiedTreeDepth(dev, test, TREEDEPTH_BINS));
      const [la, ma] = scores(tasks.get(name)!);
      t.diagnostic(`${name} length-only vs majority: 8 bins, all sentences ${l8.toFixed(3)} vs ${m8.toFixed(3)}; 3 classes, all sentences ${l3.toFixed(3)} vs ${m3.toFixed(3)}; stratified ${la.toFixed(3)} vs ${ma.toFixed(3)}`);
      assert.ok(l8 > m8 + 0.1 && l3 > m3 + 0.05, `${name}: without the stratified sample, length explains depth`);
      // Every test length holds equally many sentences of each class, so any rule of length alone scores exactly 1/3.
      assert.ok(Math.abs(la - 1 / 3) < 1e-12 && Math.abs(ma - 1 / 3) < 1e-12, `${name} stratified: ${la} vs ${ma}`);
    }
  });

  it('bag of words: features equal a Python rebuild; the probe agrees with scikit-learn at the same λ (sst2)', async (t) => {
    const sst2 = tasks.get('sst2')!;
    const bow = bagOfWords(sst2);
    const result = await bowBaseline(sst2);
    const ref = python<{ vocab: string[]; row0: number[]; row_sums: number[]; predicted: number[] }>(SKLEARN, {
      size: 2000, l2: result.l2, train_words: sentenceWords(sst2.train), test_words: sentenceWords(sst2.test), train_labels: labels(sst2.train),
    });
    assert.deepEqual(bow.vocabulary, ref.vocab);
    ref.row0.forEach((v, c) => assert.ok(Math.abs(bow.test.data[c] - v) < 1e-6, `test row 0, column ${c}`));
    ref.row_sums.forEach((v, r) => {
      let sum = 0;
      for (let c = 0; c < bow.train.cols; c++) sum += bow.train.data[r * bow.train.cols + c];
      assert.ok(Math.abs(sum - v) < 1e-4, `train row ${r}`);
    });
    const agree = ref.predicted.filter((p, i) => p === result.predictions[i]).length / ref.predicted.length;
    const sklearnAccuracy = ref.predicted.filter((p, i) => p === sst2.test.examples[i].label).length / ref.predicted.length;
    t.diagnostic(`sst2 bow (2,000 train rows): accuracy ${result.accuracy.toFixed(3)}, scikit-learn ${sklearnAccuracy.toFixed(3)}, agreement ${agree.toFixed(3)}, λ ${result.l2.toExponential(2)}`);
    assert.ok(agree > 0.97, `agreement ${agree}`);
    assert.ok(Math.abs(result.accuracy - sklearnAccuracy) < 0.015);
    assert.ok(result.accuracy > majorityBaseline(sst2).accuracy + 0.1, 'words carry sentiment');
  });

  it('refuses baselines that do not fit the task level', () => {
    assert.throws(() => lengthBaseline(tasks.get('upos')!), /the length baseline is for sentence-level tasks; upos is word-level/);
    assert.throws(() => lexicalBaseline(tasks.get('tense')!), /the lexical baseline is for word-level tasks/);
  });
});
