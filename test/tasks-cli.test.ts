import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { cli as run } from './helpers.js';

const cli = (...args: string[]) => run(args);

/** `layerwise tasks` and `layerwise conllu`, run as a user would: node bin/layerwise.js … */

describe('layerwise tasks', () => {
  it('--json lists every task with classes and example counts, agreeing with the independent count', () => {
    const r = cli('tasks', '--json');
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; level: string; category: string; classes: number; train: number; test: number }[];
    assert.equal(rows.length, 21);
    for (const row of rows) assert.deepEqual(Object.keys(row), ['name', 'level', 'category', 'classes', 'train', 'test']);
    const reference = JSON.parse(execFileSync('/usr/bin/python3', ['test/fixtures/conllu/independent_counts.py', 'data'], { encoding: 'utf8' })) as Record<string, { train: Record<string, number>; test: Record<string, number> }>;
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    for (const row of rows.filter((r) => r.name !== 'sst2')) {
      const ref = reference[row.name];
      assert.deepEqual([row.classes, row.train, row.test], [Object.keys(ref.train).length, sum(ref.train), sum(ref.test)], row.name);
    }
    assert.deepEqual(rows.find((r) => r.name === 'sst2'), { name: 'sst2', level: 'sentence', category: 'semantics', classes: 2, train: 8000, test: 872 });
    assert.deepEqual(rows.find((r) => r.name === 'ru.upos')?.level, 'word');
  });

  it('prints a table by default and fails clearly on a wrong data folder', () => {
    const table = cli('tasks', '--sst2-train-size', '100');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^name +level +category +classes +train +test/);
    assert.match(table.stdout, /\nsst2 +sentence +semantics +2 +100 +872\n/);
    assert.match(table.stdout, /\nru\.deprel .* vocative \(0\/1\)\n/);
    const bad = cli('tasks', '--data-dir', 'test/fixtures/conllu');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^layerwise tasks: .*test\/fixtures\/conllu\/ud-english-ewt\/en_ewt-ud-dev\.conllu: no such file/);
  });
});

describe('layerwise conllu', () => {
  it('--json prints sentences with multiword tokens resolved and empty nodes left out', () => {
    const r = cli('conllu', 'test/fixtures/conllu/good.conllu', '--json');
    assert.equal(r.status, 0, r.stderr);
    const sentences = JSON.parse(r.stdout);
    assert.deepEqual(sentences.map((s: { sent_id: string; text: string }) => [s.sent_id, s.text]), [['s1', "I don't know, said Bob."], ['s2', 'Mary ate rice, John beans.'], ['s3', 'Wanna?']]);
    assert.deepEqual(sentences[0].words[2], { id: 3, form: "n't", upos: 'PART', head: 4, deprel: 'advmod', feats: { Polarity: 'Neg' } });
    assert.deepEqual(sentences[1].words.map((w: { form: string }) => w.form), ['Mary', 'ate', 'rice', ',', 'John', 'beans', '.']);
    assert.deepEqual(sentences[2].words[1], { id: 2, form: 'na', upos: 'PART', head: 1, deprel: 'mark', feats: {} });
  });

  it('summarises a file without --json', () => {
    const r = cli('conllu', 'test/fixtures/conllu/good.conllu');
    assert.equal(r.stdout, 'test/fixtures/conllu/good.conllu: 3 sentences, 18 words, 2 multiword tokens, 1 empty nodes\n');
  });

  it('exits non-zero with file:line: reason on malformed input', () => {
    const r = cli('conllu', 'test/fixtures/conllu/cycle.conllu', '--json');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'layerwise conllu: test/fixtures/conllu/cycle.conllu:8: cycle in the dependency tree: 1 → 2 → 3 → 1\n');
    const missing = cli('conllu');
    assert.equal(missing.status, 2);
  });
});
