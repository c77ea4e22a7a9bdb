import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { MIN_TRAIN_EXAMPLES } from '../src/tasks/assemble.js';
import { readConllu } from '../src/tasks/conllu.js';
import { DEFAULT_DATA_DIR, TASK_REGISTRY, loadTasks, taskNames } from '../src/tasks/registry.js';
import { parseSst2 } from '../src/tasks/sst2.js';
import { labelCounts, taskStats } from '../src/tasks/summary.js';
import { baseRelation, treeDepth } from '../src/tasks/tree.js';
import type { ProbingTask, Split } from '../src/tasks/types.js';
import { argumentTarget, shiftPositions, tenseTarget, TREEDEPTH_BINS } from '../src/tasks/ud.js';
import { balanceWithinStrata } from '../src/tasks/balance.js';
import { Random } from '../src/core/random.js';
import type { LabelledExample } from '../src/tasks/assemble.js';

const fixtures = 'test/fixtures/conllu';
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const repeat = (text: string, times: number) => Array.from({ length: times }, () => text.trimEnd() + '\n\n').join('');

/** A data folder that exists only in memory: file (relative to the folder) → content. */
function fakeData(files: Record<string, string>) {
  const dataDir = '/fake-data';
  const reads: string[] = [];
  const readText = (path: string) => {
    reads.push(path);
    const content = files[path.slice(dataDir.length + 1)];
    if (content === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return content;
  };
  return { dataDir, readText, reads };
}

/** The (word or text, label) pairs of a split, in order. */
function pairs(task: ProbingTask, split: Split): [string, string][] {
  return split.examples.map((ex) => {
    const s = split.sentences[ex.sentence];
    return [ex.word === undefined ? s.text : s.words[ex.word], task.labels[ex.label]];
  });
}

describe('tree helpers on hand-made trees', () => {
  const trees = readConllu(join(fixtures, 'trees.conllu'));
  it('tree depth counts words on the longest root-to-leaf path', () => {
    assert.deepEqual(trees.map((s) => treeDepth(s.words)), [3, 2, 1, 4, 2]);
  });
  const targets = [...readConllu(join(fixtures, 'targets-train.conllu')), ...readConllu(join(fixtures, 'targets-test.conllu'))];
  const found = (t: ReturnType<typeof tenseTarget>) => t && [t.word.form, t.label];
  it('tense: a finite root, else a non-verbal root\'s finite copula; Past or Pres only', () => {
    assert.deepEqual(trees.map((s) => found(tenseTarget(s))), [['chased', 'Past'], undefined, undefined, ['think', 'Pres'], undefined]);
    // a3 "The soup was cold": the copula; b4 "She has gone": participle root, left out; b7 Tense=Fut: left out.
    assert.deepEqual(targets.map((s) => found(tenseTarget(s))), [
      ['chased', 'Past'], ['sing', 'Pres'], ['was', 'Past'], ['sees', 'Pres'],
      ['chased', 'Past'], ['eat', 'Pres'], ['is', 'Pres'], undefined, ['ran', 'Past'], ['said', 'Past'], undefined,
    ]);
  });
  it("subject and object number: the root's first nsubj (any subtype) / obj, common nouns only", () => {
    assert.deepEqual(trees.map((s) => found(argumentTarget(s, 'nsubj'))), [['dogs', 'Plur'], ['Cats', 'Plur'], undefined, undefined, undefined]); // t4's "I" is a pronoun
    assert.deepEqual(trees.map((s) => found(argumentTarget(s, 'obj'))), [['cat', 'Sing'], undefined, undefined, undefined, undefined]);
  });
  it('bigram shift positions: not the first word, no punctuation either side, different forms, no quotes', () => {
    assert.deepEqual(trees.map((s) => shiftPositions(s.words)), [[1, 2, 3], [1], [], [1, 2, 3, 4], []]);
    assert.deepEqual(readConllu(join(fixtures, 'good.conllu')).map((s) => shiftPositions(s.words)), [[1, 2, 5], [1, 4], []]);
    assert.deepEqual(shiftPositions(targets[9].words), []); // He said " no " .
  });
  it('subtypes are cut from relations', () => {
    assert.deepEqual(['nsubj:pass', 'obl', 'acl:relcl'].map(baseRelation), ['nsubj', 'obl', 'acl']);
  });
});

describe('tasks built from small hand-made treebanks', () => {
  const files = {
    'ud-english-ewt/en_ewt-ud-dev.conllu': repeat(fixture('good.conllu'), 12) + repeat(fixture('trees.conllu'), 12),
    'ud-english-ewt/en_ewt-ud-test.conllu': fixture('good.conllu') + '\n' + fixture('trees.conllu'),
  };
  const data = fakeData(files);
  const names = ['upos', 'deprel', 'tense', 'subjnum', 'objnum', 'treedepth', 'sentlen', 'bshift', 'morph.Number'];
  const tasks = Object.fromEntries(loadTasks(names, data).map((t) => [t.name, t]));
  const counts = (name: string) => Object.fromEntries(labelCounts(tasks[name]).map((c) => [c.label, [c.train, c.test]]));

  it('reads each file once for all the tasks', () => {
    assert.deepEqual(data.reads.sort(), Object.keys(files).map((f) => join(data.dataDir, f)).sort());
  });

  it('word examples index the syntactic words (multiword tokens resolved, empty nodes left out)', () => {
    const expected = [
      ['I', 'PRON'], ['do', 'AUX'], ["n't", 'PART'], ['know', 'VERB'], [',', 'PUNCT'], ['said', 'VERB'], ['Bob', 'PROPN'], ['.', 'PUNCT'],
      ['Mary', 'PROPN'], ['ate', 'VERB'], ['rice', 'NOUN'], [',', 'PUNCT'], ['John', 'PROPN'], ['beans', 'NOUN'], ['.', 'PUNCT'],
      ['Wan', 'VERB'], ['na', 'PART'], ['?', 'PUNCT'],
    ];
    assert.deepEqual(pairs(tasks.upos, tasks.upos.test).slice(0, expected.length), expected);
    assert.deepEqual(tasks.upos.test.sentences[1].text, 'Mary ate rice, John beans.');
  });

  it('deprel merges subtypes', () => {
    assert.equal(pairs(tasks.deprel, tasks.deprel.test).find(([w]) => w === 'Cats')?.[1], 'nsubj');
  });

  it('sentlen and bshift labels', () => {
    // Word counts: s1 8, s2 7, s3 3, t1 6, t2 4, t3 1, t4 7, t5 2: four sentences fall in 5-8.
    assert.deepEqual(counts('sentlen'), { '5-8': [48, 4] });
    // bshift candidates: s1, s2, t1, t2, t4 (s3 and t3 have no position, t5 two equal words): 5 per copy.
    assert.deepEqual(counts('bshift'), { original: [30, 3], shifted: [30, 2] });
    // Every depth here is at most 4: with one class, no sentence length has all three, so treedepth keeps nothing.
    assert.deepEqual(counts('treedepth'), {});
  });

  it('drops labels with fewer than MIN_TRAIN_EXAMPLES train examples or none in test, and says so', () => {
    assert.equal(MIN_TRAIN_EXAMPLES, 10);
    const both = fixture('good.conllu') + '\n' + fixture('trees.conllu');
    // DET (The, a) and INTJ (no no) occur twice per copy of trees.conllu only.
    const fewInTrain = fakeData({ 'ud-english-ewt/en_ewt-ud-dev.conllu': repeat(fixture('trees.conllu'), 4) + repeat(fixture('good.conllu'), 12), 'ud-english-ewt/en_ewt-ud-test.conllu': both });
    const [upos] = loadTasks(['upos'], fewInTrain);
    assert.deepEqual(upos.dropped, [{ label: 'DET', train: 8, test: 2 }, { label: 'INTJ', train: 8, test: 2 }]);
    const noneInTest = fakeData({ 'ud-english-ewt/en_ewt-ud-dev.conllu': repeat(both, 12), 'ud-english-ewt/en_ewt-ud-test.conllu': fixture('good.conllu') });
    const summary = taskStats(loadTasks(['upos'], noneInTest)[0]);
    assert.deepEqual(summary.dropped, [{ label: 'DET', train: 24, test: 0 }, { label: 'INTJ', train: 24, test: 0 }]);
    assert.deepEqual(summary.labelCounts.map((c) => c.label), ['AUX', 'NOUN', 'PART', 'PRON', 'PROPN', 'PUNCT', 'VERB']);
    assert.deepEqual(summary.labelCounts[0], { label: 'AUX', train: 24, test: 1 }); // t2 "were", s1 "do"
  });

  it('sentence-level splits hold one example per sentence; word-level splits only sentences with examples', () => {
    for (const task of Object.values(tasks)) {
      for (const split of [task.train, task.test]) {
        const used = new Set(split.examples.map((e) => e.sentence));
        assert.equal(used.size, split.sentences.length, task.name);
        if (task.level === 'sentence') assert.equal(split.examples.length, split.sentences.length, task.name);
      }
    }
  });

  it('tasks over the same treebank share sentence objects', () => {
    assert.equal(tasks.upos.test.sentences[0], tasks.deprel.test.sentences[0]);
  });

  it('a missing data file is named in the error', () => {
    assert.throws(() => loadTasks(['ru.upos'], data), /\/fake-data\/ud-russian-gsd\/ru_gsd-ud-dev\.conllu: no such file/);
  });
});

describe('targeted tasks (tense, subjnum, objnum) on hand-made treebanks', () => {
  const data = fakeData({
    'ud-english-ewt/en_ewt-ud-dev.conllu': repeat(fixture('targets-train.conllu'), 12),
    'ud-english-ewt/en_ewt-ud-test.conllu': fixture('targets-test.conllu'),
  });
  const tasks = Object.fromEntries(loadTasks(['tense', 'subjnum', 'objnum', 'bshift'], data).map((t) => [t.name, t]));
  const counts = (name: string) => Object.fromEntries(labelCounts(tasks[name]).map((c) => [c.label, [c.train, c.test]]));
  /** (sentence id, target form, label) of a split's examples. */
  const targeted = (task: ProbingTask, split: Split) => split.examples.map((ex) => [split.sentences[ex.sentence].id, split.sentences[ex.sentence].words[ex.target!], task.labels[ex.label]]);

  it('tense: test drops targets seen in train (b1 "chased"), then both splits are balanced', () => {
    // Train targets chased, sing, was, sees: 2 Past, 2 Pres per copy. Test: eat, is (Pres), ran, said (Past).
    assert.deepEqual(counts('tense'), { Past: [24, 2], Pres: [24, 2] });
    assert.deepEqual(targeted(tasks.tense, tasks.tense.test), [['b2', 'eat', 'Pres'], ['b3', 'is', 'Pres'], ['b5', 'ran', 'Past'], ['b6', 'said', 'Past']]);
  });

  it('subjnum and objnum: common-noun targets, forms disjoint across splits, majority downsampled', () => {
    // "dog" is not "dogs": forms are compared whole (lower-cased). b4 and b6 have pronoun subjects.
    assert.deepEqual(targeted(tasks.subjnum, tasks.subjnum.test), [['b1', 'dog', 'Sing'], ['b2', 'Cats', 'Plur'], ['b3', 'tea', 'Sing'], ['b5', 'Kids', 'Plur']]);
    assert.deepEqual(counts('subjnum'), { Sing: [24, 2], Plur: [24, 2] });
    // Train objects: cat (Sing), songs, trees (Plur): 12 Sing and 24 Plur, Plur downsampled to 12.
    assert.deepEqual(counts('objnum'), { Sing: [12, 1], Plur: [12, 1] });
    assert.deepEqual(tasks.objnum.train.examples.map((ex) => tasks.objnum.train.sentences[ex.sentence].words[ex.target!]).filter((w) => w === 'cat').length, 12);
  });

  it('bshift records the swap, which never touches the first word or punctuation', () => {
    assert.deepEqual(counts('bshift'), { original: [24, 2], shifted: [24, 2] }); // b5, b6 (quotes), b7 have no position
    for (const split of [tasks.bshift.train, tasks.bshift.test]) {
      for (const ex of split.examples) {
        const s = split.sentences[ex.sentence];
        assert.equal(ex.swap !== undefined, s.id.endsWith('/shifted'), s.id);
        if (ex.swap !== undefined) assert.ok(ex.swap >= 1 && !['.', ','].includes(s.words[ex.swap]) && !['.', ','].includes(s.words[ex.swap + 1]), s.id);
      }
    }
  });
});

describe('balanceWithinStrata', () => {
  const sentence = { id: 'x', text: 'x', words: ['x'] };
  const ex = (label: string, stratum: number) => ({ sentence, label, stratum });
  const examples = [ex('a', 1), ex('b', 1), ex('a', 1), ex('a', 1), ex('b', 2), ex('a', 3), ex('b', 3), ex('c', 3)];
  const kept = (seed: number) => balanceWithinStrata(examples, ['a', 'b'], (e: LabelledExample & { stratum: number }) => e.stratum, new Random(seed));
  it('keeps, per stratum, as many of each label as the rarest has; strata missing a label keep nothing', () => {
    for (const seed of [0, 1, 2, 3]) {
      const out = kept(seed);
      assert.deepEqual(out.map((e) => [e.stratum, e.label]).sort(), [[1, 'a'], [1, 'b'], [3, 'a'], [3, 'b']]);
      assert.deepEqual(out, [...out].sort((x, y) => examples.indexOf(x) - examples.indexOf(y))); // original order
    }
    const firstA = (seed: number) => examples.indexOf(kept(seed)[0]);
    assert.ok(new Set([0, 1, 2, 3, 4, 5, 6, 7].map(firstA)).size > 1, 'which "a" of stratum 1 is kept follows the seed');
  });
});

describe('registry and loading the shipped data', () => {
  it('lists tasks without loading, and rejects unknown names', () => {
    assert.equal(TASK_REGISTRY.length, 21);
    assert.deepEqual(taskNames().filter((n) => n.startsWith('ru.')).map((n) => n.slice(3)), taskNames().slice(0, 10));
    const { name, level, category, language } = TASK_REGISTRY.find((t) => t.name === 'sst2')!;
    assert.deepEqual({ name, level, category, language }, { name: 'sst2', level: 'sentence', category: 'semantics', language: 'en' });
    assert.deepEqual(TASK_REGISTRY.filter((t) => t.level === 'word').map((t) => t.name), ['upos', 'deprel', 'morph.Number', 'morph.Tense', 'ru.upos', 'ru.deprel', 'ru.morph.Number', 'ru.morph.Tense']);
    assert.throws(() => loadTasks(['nope']), /unknown task "nope"; known tasks: upos, deprel/);
  });

  it('the default data folder is the package data/', () => {
    assert.equal(resolve(DEFAULT_DATA_DIR), resolve('data'));
  });

  const reads = new Map<string, number>();
  const readText = (path: string) => {
    reads.set(path, (reads.get(path) ?? 0) + 1);
    return readFileSync(path, 'utf8');
  };
  const tasks = loadTasks(undefined, { readText });
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const parsed = new Map(['ud-english-ewt/en_ewt-ud-dev.conllu', 'ud-english-ewt/en_ewt-ud-test.conllu', 'ud-russian-gsd/ru_gsd-ud-dev.conllu', 'ud-russian-gsd/ru_gsd-ud-test.conllu']
    .flatMap((f) => readConllu(join(DEFAULT_DATA_DIR, f)).map((s) => [s.sentId, s.words] as const)));
  const readConlluWords = (sentId: string) => parsed.get(sentId)!;

  it('reads each of the six files exactly once for all 21 tasks', () => {
    assert.equal(tasks.length, 21);
    assert.deepEqual([...reads.values()], [1, 1, 1, 1, 1, 1]);
    assert.deepEqual([...reads.keys()].map((p) => p.slice(DEFAULT_DATA_DIR.length)).sort(), [
      'sst2/test.tsv', 'sst2/train.tsv',
      'ud-english-ewt/en_ewt-ud-dev.conllu', 'ud-english-ewt/en_ewt-ud-test.conllu',
      'ud-russian-gsd/ru_gsd-ud-dev.conllu', 'ud-russian-gsd/ru_gsd-ud-test.conllu',
    ]);
  });

  it('sentences with the same id have the same text and words across tasks', () => {
    const seen = new Map<string, string>();
    for (const t of tasks) for (const split of [t.train, t.test]) for (const s of split.sentences) {
      const content = JSON.stringify([s.text, s.words]);
      assert.equal(seen.get(s.id) ?? content, content, `${t.name} ${s.id}`);
      seen.set(s.id, content);
    }
  });

  for (const name of ['bshift', 'ru.bshift']) {
    it(`${name}: a seeded half is shifted by one swap of adjacent different words; all texts space-joined`, () => {
      const task = byName.get(name)!;
      const file = name === 'bshift' ? 'ud-english-ewt/en_ewt-ud-dev.conllu' : 'ud-russian-gsd/ru_gsd-ud-dev.conllu';
      const original = new Map(readConllu(join(DEFAULT_DATA_DIR, file)).map((s) => [s.sentId, s.words.map((w) => w.form)]));
      const shifted = task.train.examples.filter((e) => task.labels[e.label] === 'shifted').length;
      assert.equal(shifted, Math.floor(task.train.examples.length / 2));
      for (const ex of task.train.examples) {
        const s = task.train.sentences[ex.sentence];
        const words = original.get(s.id.replace(/\/(spaced|shifted)$/, ''))!;
        assert.equal(s.text, s.words.join(' '));
        const diff = s.words.flatMap((w, i) => (w === words[i] ? [] : [i]));
        if (task.labels[ex.label] === 'original') assert.deepEqual([diff, ex.swap], [[], undefined]);
        else {
          assert.deepEqual(diff, [ex.swap, ex.swap! + 1]);
          assert.ok(ex.swap! >= 1, 'the first word is never swapped');
          assert.deepEqual([s.words[diff[0]], s.words[diff[1]]], [words[diff[1]], words[diff[0]]]);
        }
      }
    });
  }

  for (const name of ['tense', 'subjnum', 'objnum', 'ru.tense', 'ru.subjnum', 'ru.objnum']) {
    it(`${name}: balanced splits, and no test target form (lower-cased) is a train target form`, () => {
      const task = byName.get(name)!;
      const forms = (split: Split) => split.examples.map((ex) => split.sentences[ex.sentence].words[ex.target!].toLowerCase());
      const trainForms = new Set(forms(task.train));
      assert.deepEqual(forms(task.test).filter((f) => trainForms.has(f)), []);
      for (const c of labelCounts(task)) assert.deepEqual([c.train, c.test], [labelCounts(task)[0].train, labelCounts(task)[0].test], c.label);
      assert.ok(task.test.examples.length >= 40, `${name}: ${task.test.examples.length} test examples`);
    });
  }

  for (const name of ['treedepth', 'ru.treedepth']) {
    it(`${name}: within every sentence length, each depth class has the same number of sentences`, () => {
      const task = byName.get(name)!;
      assert.deepEqual(task.labels, TREEDEPTH_BINS.map((b) => b.label));
      for (const split of [task.train, task.test]) {
        const byLength = new Map<number, number[]>();
        for (const ex of split.examples) {
          const n = split.sentences[ex.sentence].words.length;
          const row = byLength.get(n) ?? byLength.set(n, [0, 0, 0]).get(n)!;
          row[ex.label]++;
          const depth = treeDepth(readConlluWords(split.sentences[ex.sentence].id));
          assert.equal(TREEDEPTH_BINS.findIndex((b) => depth >= b.min && depth <= b.max), ex.label);
        }
        for (const [n, row] of byLength) assert.ok(row.every((c) => c === row[0]), `length ${n}: ${row}`);
      }
    });
  }

  it('bshift and the SST-2 sample follow the seed', () => {
    const shiftedIds = (seed: number) => {
      const [bshift, sst2] = loadTasks(['bshift', 'sst2'], { seed });
      return [bshift.test.sentences.filter((s) => s.id.endsWith('/shifted')).map((s) => s.id), sst2.train.sentences.map((s) => s.id)];
    };
    const first = shiftedIds(0);
    const again = shiftedIds(0);
    const other = shiftedIds(1);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other[0], first[0]);
    assert.notDeepEqual(other[1], first[1]);
    // The default seed is 0.
    assert.deepEqual(first[0], byName.get('bshift')!.test.sentences.filter((s) => s.id.endsWith('/shifted')).map((s) => s.id));
  });

  it('sst2: a sample of distinct train.tsv rows, test = all of test.tsv', () => {
    const sst2 = byName.get('sst2')!;
    assert.equal(sst2.train.examples.length, 8000);
    assert.equal(new Set(sst2.train.sentences.map((s) => s.id)).size, 8000);
    const lines = readFileSync(join(DEFAULT_DATA_DIR, 'sst2/train.tsv'), 'utf8').split('\n');
    for (const ex of sst2.train.examples.slice(0, 500)) {
      const s = sst2.train.sentences[ex.sentence];
      const line = Number(s.id.split(':')[1]);
      const [text, label] = lines[line - 1].split('\t');
      assert.equal(s.text, text.trim());
      assert.equal(sst2.labels[ex.label], label === '1' ? 'positive' : 'negative');
      assert.deepEqual(s.words, text.trim().split(' '));
    }
    assert.equal(sst2.test.examples.length, 872);
  });

  it('SST-2 format errors name the file and line', () => {
    assert.throws(() => parseSst2('sentence\tlabel\ngood\t1\nbad\t2\n', 'x.tsv'), { message: 'x.tsv:3: expected "sentence<TAB>0" or "sentence<TAB>1"' });
    assert.throws(() => parseSst2('text\tlabel\n', 'x.tsv'), { message: 'x.tsv:1: expected the header "sentence<TAB>label"' });
  });
});
