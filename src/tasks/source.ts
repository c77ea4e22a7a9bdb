import { join } from 'node:path';
import { Random } from '../core/random.js';
import { readText as readUtf8 } from '../core/validate.js';
import { parseConllu, type ConlluSentence } from './conllu.js';
import type { TaskSentence } from './types.js';

export type ReadText = (path: string) => string;

/**
 * The data one `loadTasks` call works from. Each file is read and parsed at most once
 * (tasks from the same treebank share the parse), and each CoNLL-U sentence has one
 * TaskSentence view, so tasks over the same sentences share those objects too.
 */
export class TaskSource {
  private readonly texts = new Map<string, string>();
  private readonly treebanks = new Map<string, ConlluSentence[]>();
  private readonly views = new WeakMap<ConlluSentence, TaskSentence>();

  constructor(
    readonly dataDir: string,
    readonly seed: number,
    private readonly readText: ReadText = readUtf8,
  ) {}

  /** Absolute path of a file under the data directory. */
  path(relative: string): string {
    return join(this.dataDir, relative);
  }

  /** A data file's text (read once). */
  text(relative: string): string {
    const path = this.path(relative);
    let text = this.texts.get(path);
    if (text === undefined) {
      try {
        text = this.readText(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        throw new Error(`${path}: no such file; point dataDir (CLI: --data-dir) at a folder laid out like the package's data/`);
      }
      this.texts.set(path, text);
    }
    return text;
  }

  /** A treebank's sentences (parsed once). */
  treebank(relative: string): ConlluSentence[] {
    const path = this.path(relative);
    let sentences = this.treebanks.get(path);
    if (sentences === undefined) {
      sentences = parseConllu(this.text(relative), path);
      this.treebanks.set(path, sentences);
    }
    return sentences;
  }

  /** The sentence as probes see it: its `# text` and its syntactic words. */
  view(sentence: ConlluSentence): TaskSentence {
    let view = this.views.get(sentence);
    if (view === undefined) {
      view = { id: sentence.sentId, text: sentence.text, words: sentence.words.map((w) => w.form) };
      this.views.set(sentence, view);
    }
    return view;
  }

  /** A generator for one purpose (e.g. `bshift:train`): independent of the order tasks are loaded in. */
  random(purpose: string): Random {
    let hash = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < purpose.length; i++) hash = Math.imul(hash ^ purpose.charCodeAt(i), 0x01000193);
    return new Random((this.seed ^ hash) >>> 0);
  }
}
