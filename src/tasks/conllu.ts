import { readText as readUtf8 } from '../core/validate.js';

/**
 * A reader for the CoNLL-U format of Universal Dependencies
 * (https://universaldependencies.org/format.html). It keeps everything a probing task or a
 * person may want (comments, surface tokens, empty nodes, FEATS and MISC as key/value maps) and
 * rejects input a dependency-tree task cannot trust, with errors of the form `file:line: reason`.
 */

/** A syntactic word: one line whose ID is an integer. */
export interface ConlluWord {
  id: number; // 1-based position in the sentence
  form: string;
  lemma: string;
  upos: string; // '_' when not annotated, as in the file
  xpos: string;
  feats: Record<string, string>; // Number=Sing|Tense=Past → { Number: 'Sing', Tense: 'Past' }
  head: number; // 0 = the root
  deprel: string; // with its subtype, e.g. 'nsubj:pass'
  deps: string; // enhanced dependencies, kept verbatim
  misc: Record<string, string>;
  line: number; // 1-based line in the file
}

/** A surface token: either one word, or a multiword token (ID `3-4`) spanning several words. */
export interface ConlluToken {
  form: string;
  first: number; // ID of its first word
  last: number; // ID of its last word (= first for a plain word)
  misc: Record<string, string>; // SpaceAfter=No lives here
}

/** An empty node (ID `8.1`) of the enhanced graph; not part of the basic tree. */
export interface ConlluEmptyNode {
  id: string;
  form: string;
  lemma: string;
  upos: string;
  feats: Record<string, string>;
  deps: string;
  misc: Record<string, string>;
  line: number;
}

export interface ConlluSentence {
  /** From `# sent_id = …`; otherwise `<n>` (1-based position in the file). */
  sentId: string;
  /** From `# text = …`; otherwise rebuilt from the surface tokens and `SpaceAfter=No`. */
  text: string;
  /** Every comment line of the sentence in order, without the leading `#` and one space. */
  comments: string[];
  words: ConlluWord[];
  tokens: ConlluToken[];
  emptyNodes: ConlluEmptyNode[];
  file: string;
  line: number; // line of the sentence's first (comment or word) line
}

/** Malformed CoNLL-U; the message is `file:line: reason`. */
export class ConlluError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'ConlluError';
  }
}

const WORD_ID = /^[1-9]\d*$/;
const RANGE_ID = /^([1-9]\d*)-([1-9]\d*)$/;
const EMPTY_ID = /^(\d+)\.([1-9]\d*)$/;
const METADATA = /^#\s*(sent_id|text)\s*=\s?(.*)$/;

/** `_` → {}; `A=1|B=2` → { A: '1', B: '2' }. FEATS must be Feature=Value; MISC may hold bare items (value ''). */
function parseKeyValues(field: string, strict: boolean, fail: (reason: string) => never, column: string): Record<string, string> {
  const map: Record<string, string> = {};
  if (field === '_') return map;
  for (const item of field.split('|')) {
    const eq = item.indexOf('=');
    if (eq <= 0 || (strict && eq === item.length - 1)) {
      if (strict || item === '') fail(`${column} item "${item}" is not Key=Value`);
      map[item] = '';
      continue;
    }
    map[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return map;
}

/** Surface text from tokens: a space after each token unless its MISC says SpaceAfter=No. */
export function rebuildText(tokens: readonly ConlluToken[]): string {
  return tokens
    .map((t, i) => (i < tokens.length - 1 && t.misc.SpaceAfter !== 'No' ? `${t.form} ` : t.form))
    .join('');
}

/** The path from `start` up the heads, if it runs into a cycle: the word IDs of the cycle. */
function findCycle(heads: readonly number[], start: number, done: Uint8Array): number[] | undefined {
  const path: number[] = [];
  const onPath = new Map<number, number>();
  let id = start;
  while (id !== 0 && !done[id]) {
    const seen = onPath.get(id);
    if (seen !== undefined) return path.slice(seen);
    onPath.set(id, path.length);
    path.push(id);
    id = heads[id];
  }
  for (const p of path) done[p] = 1;
  return undefined;
}

/** Parses CoNLL-U text. `file` names the source in error messages. */
export function parseConllu(content: string, file = '<input>'): ConlluSentence[] {
  const sentences: ConlluSentence[] = [];
  // A byte-order mark would otherwise glue itself to the first comment or ID.
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  let comments: string[] = [];
  let sentId: string | undefined;
  let text: string | undefined;
  let words: ConlluWord[] = [];
  let tokens: ConlluToken[] = [];
  let emptyNodes: ConlluEmptyNode[] = [];
  let startLine = 0;
  let range: { token: ConlluToken; line: number } | undefined; // the multiword token still awaiting its words

  const finish = () => {
    if (words.length === 0) {
      if (emptyNodes.length > 0 || range) throw new ConlluError(file, startLine, 'sentence has no words (only comments, ranges or empty nodes)');
      comments = [];
      sentId = text = undefined;
      return;
    }
    if (range) throw new ConlluError(file, range.line, `multiword token ${range.token.first}-${range.token.last} is not followed by all of its words`);
    const heads = [0, ...words.map((w) => w.head)];
    for (const w of words) {
      if (w.head > words.length) throw new ConlluError(file, w.line, `HEAD ${w.head} out of range (the sentence has ${words.length} words)`);
    }
    const done = new Uint8Array(words.length + 1);
    for (const w of words) {
      const cycle = findCycle(heads, w.id, done);
      if (cycle) {
        const first = words[Math.min(...cycle) - 1];
        throw new ConlluError(file, first.line, `cycle in the dependency tree: ${[...cycle, cycle[0]].join(' → ')}`);
      }
    }
    sentences.push({
      sentId: sentId ?? String(sentences.length + 1),
      text: text ?? rebuildText(tokens),
      comments,
      words,
      tokens,
      emptyNodes,
      file,
      line: startLine,
    });
    comments = [];
    sentId = text = undefined;
    words = [];
    tokens = [];
    emptyNodes = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const fail = (reason: string): never => {
      throw new ConlluError(file, lineNo, reason);
    };
    if (line.trim() === '') {
      finish();
      continue;
    }
    const blockStarted = comments.length > 0 || words.length > 0 || tokens.length > 0 || emptyNodes.length > 0;
    if (!blockStarted) startLine = lineNo;
    if (line.startsWith('#')) {
      if (tokens.length > 0 || emptyNodes.length > 0) fail('comment line among word lines (comments must come before a sentence\'s words)');
      comments.push(line.replace(/^# ?/, ''));
      const meta = METADATA.exec(line);
      if (meta) {
        if (meta[1] === 'sent_id') sentId = meta[2].trim();
        else text = meta[2].trim();
      }
      continue;
    }
    const cols = line.split('\t');
    if (cols.length !== 10) fail(`expected 10 tab-separated columns, found ${cols.length}`);
    const [id, form, lemma, upos, xpos, feats, head, deprel, deps, misc] = cols;
    const expected = words.length + 1;

    const rangeMatch = RANGE_ID.exec(id);
    if (rangeMatch) {
      const first = Number(rangeMatch[1]);
      const last = Number(rangeMatch[2]);
      if (range) fail(`multiword token ${id} starts inside multiword token ${range.token.first}-${range.token.last}`);
      if (first !== expected || last <= first) fail(`multiword token ${id} must span the next words, from ${expected} on`);
      const token = { form, first, last, misc: parseKeyValues(misc, false, fail, 'MISC') };
      tokens.push(token);
      range = { token, line: lineNo };
      continue;
    }
    if (EMPTY_ID.test(id)) {
      emptyNodes.push({ id, form, lemma, upos, feats: parseKeyValues(feats, true, fail, 'FEATS'), deps, misc: parseKeyValues(misc, false, fail, 'MISC'), line: lineNo });
      continue;
    }
    if (!WORD_ID.test(id)) fail(`ID "${id}" is not a word number, a range like 3-4 or an empty node like 8.1`);
    if (Number(id) !== expected) fail(`word ID ${id} out of order (expected ${expected})`);
    if (!/^\d+$/.test(head)) fail(`HEAD "${head}" is not a number`);
    const word: ConlluWord = {
      id: expected,
      form,
      lemma,
      upos,
      xpos,
      feats: parseKeyValues(feats, true, fail, 'FEATS'),
      head: Number(head),
      deprel,
      deps,
      misc: parseKeyValues(misc, false, fail, 'MISC'),
      line: lineNo,
    };
    words.push(word);
    if (range) {
      if (word.id === range.token.last) range = undefined;
    } else {
      tokens.push({ form, first: word.id, last: word.id, misc: word.misc });
    }
  }
  finish();
  return sentences;
}

/** Reads and parses a CoNLL-U file; `readText` is injectable so callers can count or fake reads. */
export function readConllu(path: string, readText: (path: string) => string = readUtf8): ConlluSentence[] {
  return parseConllu(readText(path), path);
}
