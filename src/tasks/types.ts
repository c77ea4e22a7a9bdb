export type TaskLevel = 'word' | 'sentence';
export type TaskCategory = 'surface' | 'syntax' | 'semantics';
export type Language = 'en' | 'ru';

/** A sentence as a probe sees it: surface text plus its words (pre-tokenized, CoNLL-U style). */
export interface TaskSentence {
  id: string; // sentences with equal ids have equal text and words (safe as a cache key)
  text: string;
  words: string[];
  corpusId?: string; // the corpus sentence (UD sent_id) this one was rewritten from, when not `id` (bshift)
}

/**
 * One labelled example. Word-level examples name the word (index into `words`); sentence tasks
 * about one word (tense, subjnum, objnum) name it as `target`; bshift's shifted sentences name
 * the swapped pair by its first word, `swap` (words `swap` and `swap + 1` were exchanged).
 */
export interface TaskExample {
  sentence: number; // index into Split.sentences
  word?: number; // word-level tasks only
  target?: number; // 0-based index into words: the word whose feature is the label
  swap?: number; // 0-based index into words of the first of the two swapped words
  label: number; // index into ProbingTask.labels
}

export interface Split {
  sentences: TaskSentence[];
  examples: TaskExample[];
}

/** A label left out of a task because it had too few examples to train or to test on. */
export interface DroppedLabel {
  label: string;
  train: number; // examples it had in train
  test: number; // examples it had in test
}

export interface ProbingTask {
  name: string; // 'upos', 'ru.upos', 'sst2', 'upos.control', …
  level: TaskLevel;
  category: TaskCategory;
  language: Language;
  description: string; // one line
  labels: string[];
  train: Split;
  test: Split;
  dropped?: DroppedLabel[]; // labels removed with their examples (see src/tasks/assemble.ts)
}
