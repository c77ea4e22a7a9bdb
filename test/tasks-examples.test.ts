import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ExportedTask } from '../src/tasks/examples.js';
import { cli } from './helpers.js';

/**
 * `layerwise tasks --task T --examples --json`, checked by test/fixtures/conllu/check_examples.py:
 * a separate Python reading of the CoNLL-U files that verifies every target (form at that UD
 * word id, and that it is the root / copula / root's NOUN subject or object with that feature),
 * every bshift swap (not the first word, no punctuation, no quotes, text = the swapped words),
 * texts, and that target forms never cross splits.
 */
interface Check {
  examples: number;
  errors: string[];
  labels: { train: Record<string, number>; test: Record<string, number> };
}

const check = (exported: string): Check =>
  JSON.parse(execFileSync('/usr/bin/python3', ['test/fixtures/conllu/check_examples.py', 'data'], { input: exported, encoding: 'utf8' })) as Check;

describe('layerwise tasks --task T --examples --json', () => {
  const outputs = new Map<string, string>();
  /** The CLI's export of a task (each task exported once: a CLI start costs seconds). */
  const exportTask = (name: string): string => {
    if (!outputs.has(name)) {
      const r = cli(['tasks', '--task', name, '--examples', '--json']);
      assert.equal(r.status, 0, r.stderr);
      outputs.set(name, r.stdout);
    }
    return outputs.get(name)!;
  };

  for (const name of ['tense', 'subjnum', 'objnum', 'bshift', 'ru.subjnum', 'ru.bshift']) {
    it(`${name}: targets and swaps agree with the CoNLL-U files`, () => {
      const stdout = exportTask(name);
      const exported = JSON.parse(stdout) as ExportedTask;
      const result = check(stdout);
      assert.deepEqual(result.errors, []);
      assert.equal(result.examples, exported.train.length + exported.test.length);
      if (name.endsWith('bshift')) assert.ok(exported.test.some((e) => e.swap) && exported.test.some((e) => !e.swap));
      else {
        assert.ok(exported.test.every((e) => e.target));
        for (const split of ['train', 'test'] as const) assert.equal(new Set(Object.values(result.labels[split])).size, 1, `${name} ${split} balanced`);
      }
    });
  }

  it('the checker catches a target off by one and a swap at the first word', () => {
    const tense = JSON.parse(exportTask('tense')) as ExportedTask;
    tense.test[0].target!.index += 1;
    assert.equal(check(JSON.stringify(tense)).errors.length > 0, true);
    const bshift = JSON.parse(exportTask('bshift')) as ExportedTask;
    const shifted = bshift.test.find((e) => e.swap)!;
    shifted.swap = [1, 2];
    assert.match(check(JSON.stringify(bshift)).errors.join('\n'), /bad swap \[1, 2\]/);
  });

  it('--examples needs --task', () => {
    const r = cli(['tasks', '--examples']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--task and --examples go together/);
  });
});
