import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { controlTask, hasControlTask } from '../src/tasks/control.js';
import { loadTasks } from '../src/tasks/registry.js';
import type { ProbingTask, Split, TaskExample } from '../src/tasks/types.js';

/**
 * Control tasks (Hewitt & Liang 2019) on the shipped data: each type's label is one draw from
 * the training label distribution, so across types the labels must fit that distribution.
 * scipy's chi-square goodness-of-fit test is the referee.
 */
const CHI_SQUARE = String.raw`
import json, sys
from scipy.stats import chisquare
observed, expected = json.load(sys.stdin)
# Cells expected below 5 are pooled, as the test's chi-square approximation asks.
small = [i for i, e in enumerate(expected) if e < 5]
big = [i for i in range(len(expected)) if i not in small]
o = [observed[i] for i in big] + ([sum(observed[i] for i in small)] if small else [])
e = [expected[i] for i in big] + ([sum(expected[i] for i in small)] if small else [])
print(json.dumps(chisquare(o, e).pvalue))
`;

function chiSquarePValue(observed: number[], expected: number[]): number {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', CHI_SQUARE], { input: JSON.stringify([observed, expected]), encoding: 'utf8' })) as number;
}

/** type → label over both splits of a control task; fails if a type has two labels. */
function typeLabels(control: ProbingTask): Map<string, number> {
  const byType = new Map<string, number>();
  for (const split of [control.train, control.test] as Split[]) {
    for (const ex of split.examples as TaskExample[]) {
      const type = split.sentences[ex.sentence].words[ex.word ?? ex.target!].toLowerCase();
      assert.equal(byType.get(type) ?? ex.label, ex.label, `type "${type}" has two labels`);
      byType.set(type, ex.label);
    }
  }
  return byType;
}

describe('control tasks on the shipped data', () => {
  const tasks = new Map(loadTasks(['upos', 'ru.upos', 'tense', 'subjnum', 'sentlen', 'treedepth', 'bshift', 'sst2']).map((t) => [t.name, t]));

  it('exist for word tasks and targeted sentence tasks only', () => {
    assert.deepEqual([...tasks.values()].filter(hasControlTask).map((t) => t.name), ['upos', 'ru.upos', 'tense', 'subjnum']);
  });

  for (const name of ['upos', 'ru.upos']) {
    it(`${name}: one label per type across splits, distributed as the training labels (chi-square, p > 0.001)`, () => {
      const task = tasks.get(name)!;
      const share = task.labels.map((_, l) => task.train.examples.filter((ex) => ex.label === l).length / task.train.examples.length);
      for (const seed of [0, 1]) {
        const labels = [...typeLabels(controlTask(task, seed)).values()];
        const observed = task.labels.map((_, l) => labels.filter((x) => x === l).length);
        const p = chiSquarePValue(observed, share.map((s) => s * labels.length));
        assert.ok(p > 0.001, `${name} seed ${seed}: p = ${p}`);
        // The test has power: the same labels are far from uniform.
        assert.ok(chiSquarePValue(observed, share.map(() => labels.length / share.length)) < 1e-6);
      }
    });
  }

  for (const name of ['tense', 'subjnum']) {
    it(`${name}: one label per target type, examples and targets unchanged`, () => {
      const task = tasks.get(name)!;
      const control = controlTask(task, 0);
      typeLabels(control);
      assert.deepEqual(control.test.examples.map((ex) => ex.target), task.test.examples.map((ex) => ex.target));
      assert.equal(control.name, `${name}.control`);
    });
  }
});
