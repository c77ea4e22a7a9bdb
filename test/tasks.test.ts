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
import { rootArgumentNumber, rootTense } from '../src/tasks/ud.js';

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
  it('root tense only for a finite root verb', () => {
    assert.deepEqual(trees.map(rootTense), ['Past', undefined, undefined, 'Pres', undefined]);
  });
  it("subject and object number come from the root's own dependents, any subtype", () => {
    assert.deepEqual(trees.map((s) => rootArgumentNumber(s, 'nsubj')), ['Plur', 'Plur', undefined, 'Sing', undefined]);
    assert.deepEqual(trees.map((s) => rootArgumentNumber(s, 'obj')), ['Sing', undefined, undefined, undefined, undefined]);
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

  it('sentence labels: root tense, subject and object number, depth and length bins', () => {
    // Roots: s1 said Past, s2 ate Past, s3 Wan Pres; t1 chased Past, t2 participle, t3 imperative, t4 think Pres, t5 no verb.
    assert.deepEqual(pairs(tasks.tense, tasks.tense.test), [
      ["I don't know, said Bob.", 'Past'], ['Mary ate rice, John beans.', 'Past'], ['Wanna?', 'Pres'],
      ['The dogs chased a cat.', 'Past'], ['I think you know she left.', 'Pres'],
    ]);
    assert.deepEqual(counts('tense'), { Past: [36, 3], Pres: [24, 2] });
    // Subjects: Bob, Mary, t4's I (Sing); dogs, Cats (nsubj:pass) (Plur). Objects: rice, cat.
    assert.deepEqual(counts('subjnum'), { Plur: [24, 2], Sing: [36, 3] });
    assert.deepEqual(counts('objnum'), { Sing: [24, 2] });
    // Depths: s1 3, s2 3, s3 2, t1 3, t2 2, t3 1, t4 4, t5 2.
    assert.deepEqual(counts('treedepth'), { '1-2': [48, 4], '3': [36, 3], '4': [12, 1] });
    assert.deepEqual(tasks.treedepth.labels, ['1-2', '3', '4']); // bin order, not alphabetical
    // Word counts: s1 8, s2 7, s3 3, t1 6, t2 4, t3 1, t4 7, t5 2: four sentences fall in 5-8.
    assert.deepEqual(counts('sentlen'), { '5-8': [48, 4] });
    // bshift candidates: all but t3 (one word) and t5 (two equal words), 6 per copy.
    assert.deepEqual(counts('bshift'), { original: [36, 3], shifted: [36, 3] });
  });

  it('drops labels with fewer than MIN_TRAIN_EXAMPLES train examples or none in test, and says so', () => {
    assert.equal(MIN_TRAIN_EXAMPLES, 10);
    const dev = repeat(fixture('trees.conllu'), 9) + repeat(fixture('good.conllu'), 12);
    const fewInTrain = fakeData({ 'ud-english-ewt/en_ewt-ud-dev.conllu': dev, 'ud-english-ewt/en_ewt-ud-test.conllu': repeat(fixture('good.conllu') + '\n' + fixture('trees.conllu'), 1) });
    const [treedepth] = loadTasks(['treedepth'], fewInTrain);
    assert.deepEqual(treedepth.labels, ['1-2', '3']);
    assert.deepEqual(treedepth.dropped, [{ label: '4', train: 9, test: 1 }]); // only t4 is 4 deep
    const noneInTest = fakeData({ 'ud-english-ewt/en_ewt-ud-dev.conllu': dev, 'ud-english-ewt/en_ewt-ud-test.conllu': fixture('good.conllu') });
    const [subjnum] = loadTasks(['subjnum'], noneInTest);
    assert.deepEqual(taskStats(subjnum), {
      name: 'subjnum', level: 'sentence', category: 'semantics', classes: 1, train: 33, test: 2,
      labelCounts: [{ label: 'Sing', train: 33, test: 2 }],
      dropped: [{ label: 'Plur', train: 18, test: 0 }],
    });
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
        if (task.labels[ex.label] === 'original') assert.deepEqual(diff, []);
        else {
          assert.equal(diff.length, 2);
          assert.equal(diff[1], diff[0] + 1);
          assert.deepEqual([s.words[diff[0]], s.words[diff[1]]], [words[diff[1]], words[diff[0]]]);
        }
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
