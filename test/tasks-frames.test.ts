import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { controlTask, hasControlTask } from '../src/tasks/control.js';
import { taskToDataFrame, tasksSummaryFrame } from '../src/tasks/frames.js';
import type { ProbingTask, TaskSentence } from '../src/tasks/types.js';

const a: TaskSentence = { id: 'a', text: 'the cat sat', words: ['the', 'cat', 'sat'] };
const b: TaskSentence = { id: 'b', text: 'The dog', words: ['The', 'dog'] };
const wordTask: ProbingTask = {
  name: 'pos', level: 'word', category: 'syntax', language: 'en', description: 'hand-made',
  labels: ['DET', 'NOUN', 'VERB'],
  train: { sentences: [a], examples: [{ sentence: 0, word: 0, label: 0 }, { sentence: 0, word: 1, label: 1 }, { sentence: 0, word: 2, label: 2 }] },
  test: { sentences: [b], examples: [{ sentence: 0, word: 0, label: 0 }, { sentence: 0, word: 1, label: 1 }] },
};
const sentenceTask: ProbingTask = {
  name: 'len', level: 'sentence', category: 'surface', language: 'en', description: 'hand-made',
  labels: ['short', 'long'],
  train: { sentences: [a, b], examples: [{ sentence: 0, label: 1 }, { sentence: 1, label: 0 }] },
  test: { sentences: [b], examples: [{ sentence: 0, label: 0 }] },
};

describe('Danfo views of tasks', () => {
  it('word-level: split, sentence_id, word, label per example', () => {
    const df = taskToDataFrame(wordTask);
    assert.deepEqual(df.columns, ['split', 'sentence_id', 'word', 'label']);
    assert.deepEqual(df.values, [
      ['train', 'a', 'the', 'DET'], ['train', 'a', 'cat', 'NOUN'], ['train', 'a', 'sat', 'VERB'],
      ['test', 'b', 'The', 'DET'], ['test', 'b', 'dog', 'NOUN'],
    ]);
  });

  it('sentence-level: split, text, label per example', () => {
    const df = taskToDataFrame(sentenceTask);
    assert.deepEqual(df.columns, ['split', 'text', 'label']);
    assert.deepEqual(df.values, [['train', 'the cat sat', 'long'], ['train', 'The dog', 'short'], ['test', 'The dog', 'short']]);
  });

  it('summary: one row per task', () => {
    const df = tasksSummaryFrame([wordTask, sentenceTask]);
    assert.deepEqual(df.columns, ['name', 'level', 'category', 'classes', 'train', 'test']);
    assert.deepEqual(df.values, [['pos', 'word', 'syntax', 3, 3, 2], ['len', 'sentence', 'surface', 2, 2, 1]]);
  });
});

describe('controlTask', () => {
  it('word level: one label per lower-cased word type, shared by train and test', () => {
    const control = controlTask(wordTask, 7);
    assert.equal(control.name, 'pos.control');
    const typeLabel = new Map<string, number>();
    for (const split of [control.train, control.test]) {
      for (const ex of split.examples) {
        const type = split.sentences[ex.sentence].words[ex.word!].toLowerCase();
        assert.equal(typeLabel.get(type) ?? ex.label, ex.label, type);
        typeLabel.set(type, ex.label);
      }
    }
    assert.equal(typeLabel.size, 4); // the/The share one
    assert.deepEqual(controlTask(wordTask, 7), control);
  });

  it('sentence level without a target word: no control task, and a clear error', () => {
    assert.equal(hasControlTask(sentenceTask), false);
    assert.equal(hasControlTask(wordTask), true);
    assert.throws(() => controlTask(sentenceTask, 3), /^Error: task len has no control task: .*hasControlTask/);
  });

  it('sentence level with a target word: one label per lower-cased target type, shared by train and test', () => {
    const targeted: ProbingTask = {
      ...sentenceTask,
      name: 'tense',
      train: { sentences: [a, b], examples: [{ sentence: 0, target: 2, label: 1 }, { sentence: 1, target: 1, label: 0 }] },
      test: { sentences: [a], examples: [{ sentence: 0, target: 1, label: 0 }] },
    };
    assert.equal(hasControlTask(targeted), true);
    const control = controlTask(targeted, 5);
    assert.deepEqual(control.train.examples.map((e) => e.target), [2, 1]);
    const again = controlTask({ ...targeted, test: { sentences: [b], examples: [{ sentence: 0, target: 1, label: 0 }] } }, 5);
    assert.equal(again.test.examples[0].label, control.train.examples[1].label); // "dog" in train and test: one label
  });
});
