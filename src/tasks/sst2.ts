import { assembleTask, type LabelledExample, type TaskMeta } from './assemble.js';
import type { TaskSource } from './source.js';
import type { ProbingTask } from './types.js';

/**
 * SST-2 sentence sentiment (GLUE). Train: a seeded subsample of GLUE's train.tsv (phrases and
 * sentences); test: test.tsv, which is GLUE's dev set of full sentences (GLUE test labels are hidden).
 */
export const SST2_TRAIN = 'sst2/train.tsv';
export const SST2_TEST = 'sst2/test.tsv';
export const DEFAULT_SST2_TRAIN_SIZE = 8000;
const LABELS = ['negative', 'positive']; // label column 0 / 1

export const sst2Meta: TaskMeta = {
  name: 'sst2',
  level: 'sentence',
  category: 'semantics',
  language: 'en',
  description: 'SST-2 (GLUE): sentiment of a sentence or phrase, negative or positive',
};

/** Rows of a GLUE SST-2 file (`sentence<TAB>label` with a header); errors are `file:line: reason`. */
export function parseSst2(content: string, file: string, source: string = file): LabelledExample[] {
  const lines = content.split('\n');
  if (lines[0].replace(/\r$/, '') !== 'sentence\tlabel') throw new Error(`${file}:1: expected the header "sentence<TAB>label"`);
  const rows: LabelledExample[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const cols = line.split('\t');
    if (cols.length !== 2 || !/^[01]$/.test(cols[1])) throw new Error(`${file}:${i + 1}: expected "sentence<TAB>0" or "sentence<TAB>1"`);
    const label = LABELS[Number(cols[1])];
    const text = cols[0].trim();
    const words = text.split(/ +/).filter((w) => w !== '');
    if (words.length === 0) throw new Error(`${file}:${i + 1}: empty sentence`);
    rows.push({ sentence: { id: `${source}:${i + 1}`, text, words }, label });
  }
  return rows;
}

/** `trainSize` rows drawn without replacement (kept in file order); all rows when trainSize ≥ the file's. */
export function sst2Task(source: TaskSource, trainSize = DEFAULT_SST2_TRAIN_SIZE): ProbingTask {
  if (!Number.isInteger(trainSize) || trainSize < 1) throw new Error(`SST-2 train size must be a positive integer, got ${trainSize}`);
  const read = (relative: string) => parseSst2(source.text(relative), source.path(relative), relative);
  const all = read(SST2_TRAIN);
  const train =
    trainSize >= all.length
      ? all
      : source
          .random('sst2:train')
          .shuffle([...all.keys()])
          .slice(0, trainSize)
          .sort((a, b) => a - b)
          .map((i) => all[i]);
  return assembleTask(sst2Meta, train, read(SST2_TEST), LABELS);
}
