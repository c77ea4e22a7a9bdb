import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DEFAULT_DATA_DIR, loadTasks } from '../src/tasks/registry.js';
import { labelCounts } from '../src/tasks/summary.js';

/**
 * Label counts of the shipped data checked against test/fixtures/conllu/independent_counts.py:
 * a separate Python reading of the files (plain line parsing, written from the task
 * definitions, not from the TypeScript), which also applies the label-dropping rule itself.
 */
type Counts = Record<string, number>;
interface Reference {
  train: Counts;
  test: Counts;
  dropped: string[];
}

const reference = JSON.parse(
  execFileSync('/usr/bin/python3', ['test/fixtures/conllu/independent_counts.py', DEFAULT_DATA_DIR], { encoding: 'utf8' }),
) as Record<string, Reference>;

describe('task label counts agree with an independent Python count', () => {
  // A train size beyond the file takes all of SST-2 train.tsv, which Python counts in full.
  const tasks = loadTasks(undefined, { sst2TrainSize: Number.MAX_SAFE_INTEGER });

  it('covers upos, deprel, sentlen and tense for both languages, and sst2', () => {
    for (const name of ['upos', 'deprel', 'sentlen', 'tense', 'ru.upos', 'ru.deprel', 'ru.sentlen', 'ru.tense', 'sst2']) assert.ok(name in reference, name);
    assert.equal(Object.keys(reference).length, 21);
  });

  for (const task of tasks) {
    const ref = reference[task.name];
    if (!ref) continue;
    it(`${task.name}: per-label train/test counts and dropped labels`, () => {
      const counts = labelCounts(task);
      assert.deepEqual(Object.fromEntries(counts.map((c) => [c.label, c.train])), ref.train);
      assert.deepEqual(Object.fromEntries(counts.map((c) => [c.label, c.test])), ref.test);
      assert.deepEqual((task.dropped ?? []).map((d) => d.label).sort(), ref.dropped);
    });
  }
});
