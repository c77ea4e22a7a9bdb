import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConlluError, parseConllu, readConllu, rebuildText } from '../src/tasks/conllu.js';

const dir = 'test/fixtures/conllu';

describe('parseConllu on a well-formed file', () => {
  const [s1, s2, s3] = readConllu(`${dir}/good.conllu`);

  it('reads every sentence, the last one without a trailing blank line', () => {
    assert.deepEqual(readConllu(`${dir}/good.conllu`).map((s) => s.sentId), ['s1', 's2', 's3']);
  });

  it('keeps sent_id, text and the other comments', () => {
    assert.equal(s1.text, "I don't know, said Bob.");
    assert.deepEqual(s1.comments, ['newdoc id = doc1', 'sent_id = s1', "text = I don't know, said Bob.", 'note = comments other than sent_id and text are kept']);
    assert.deepEqual(s2.comments, ['sent_id = s2', 'a comment with no equals sign']);
    assert.equal(s1.line, 1);
    assert.equal(s2.line, 15);
  });

  it('resolves a multiword token to its words and keeps the surface token', () => {
    assert.deepEqual(s1.words.map((w) => w.form), ['I', 'do', "n't", 'know', ',', 'said', 'Bob', '.']);
    assert.deepEqual(s1.words.map((w) => w.id), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(s1.tokens.map((t) => [t.form, t.first, t.last]), [['I', 1, 1], ["don't", 2, 3], ['know', 4, 4], [',', 5, 5], ['said', 6, 6], ['Bob', 7, 7], ['.', 8, 8]]);
    assert.equal(s1.words[2].line, 8);
  });

  it('parses FEATS and MISC into maps, `_` into an empty map', () => {
    assert.deepEqual(s1.words[0].feats, { Case: 'Nom', Number: 'Sing', Person: '1', PronType: 'Prs' });
    assert.deepEqual(s1.words[4].feats, {});
    assert.deepEqual(s1.words[3].misc, { SpaceAfter: 'No' });
    assert.deepEqual(s2.words[0].misc, { Entity: '(person)', Gloss: 'a=b' });
    assert.deepEqual(s1.words[5], {
      id: 6, form: 'said', lemma: 'say', upos: 'VERB', xpos: 'VBD',
      feats: { Mood: 'Ind', Number: 'Sing', Person: '3', Tense: 'Past', VerbForm: 'Fin' },
      head: 0, deprel: 'root', deps: '0:root', misc: {}, line: 11,
    });
  });

  it('keeps `_` columns of a word as they are', () => {
    assert.deepEqual([s3.words[1].lemma, s3.words[1].xpos, s3.words[1].feats], ['_', '_', {}]);
  });

  it('sets empty nodes apart from the words of the tree', () => {
    assert.deepEqual(s2.words.map((w) => w.form), ['Mary', 'ate', 'rice', ',', 'John', 'beans', '.']);
    assert.deepEqual(s2.emptyNodes.map((n) => [n.id, n.form, n.deps, n.misc]), [['4.1', 'ate', '2:conj', { CopyOf: '2' }]]);
  });

  it('rebuilds the text from tokens and SpaceAfter=No when # text is missing', () => {
    assert.equal(s2.text, 'Mary ate rice, John beans.');
    assert.equal(s3.text, 'Wanna?'); // SpaceAfter=No on the multiword token's own line
    assert.equal(rebuildText(s1.tokens), s1.text);
  });

  it('reads CRLF line ends the same way', () => {
    const text = readFileSync(`${dir}/good.conllu`, 'utf8');
    assert.deepEqual(parseConllu(text.replace(/\n/g, '\r\n'), 'x'), parseConllu(text, 'x'));
  });

  it('names sentences without sent_id by their position', () => {
    assert.deepEqual(parseConllu('1\ta\ta\tX\t_\t_\t0\troot\t_\t_\n\n1\tb\tb\tX\t_\t_\t0\troot\t_\t_\n').map((s) => s.sentId), ['1', '2']);
  });
});

describe('parseConllu on malformed input', () => {
  const fails = (file: string, line: number, reason: RegExp) => {
    assert.throws(
      () => readConllu(`${dir}/${file}`),
      (err: unknown) => {
        assert.ok(err instanceof ConlluError);
        assert.ok(err.message.startsWith(`${dir}/${file}:${line}: `), err.message);
        assert.match(err.reason, reason);
        assert.equal(err.line, line);
        return true;
      },
    );
  };
  it('wrong column count', () => fails('bad-columns.conllu', 9, /expected 10 tab-separated columns, found 9/));
  it('non-numeric id', () => fails('bad-id.conllu', 8, /ID "x" is not a word number/));
  it('head out of range', () => fails('bad-head.conllu', 10, /HEAD 4 out of range \(the sentence has 3 words\)/));
  it('a cycle in the tree', () => fails('cycle.conllu', 8, /cycle in the dependency tree: 1 → 2 → 3 → 1/));

  const inline = (content: string, message: string) => assert.throws(() => parseConllu(content, 'f.conllu'), { message });
  const word = (id: string, head = '0', feats = '_') => `${id}\tw\tw\tX\t_\t${feats}\t${head}\tdep\t_\t_`;
  it('a head that is not a number', () => inline(`${word('1', 'x')}\n`, 'f.conllu:1: HEAD "x" is not a number'));
  it('a self-loop is a cycle', () => inline(`${word('1')}\n${word('2', '2')}\n`, 'f.conllu:2: cycle in the dependency tree: 2 → 2'));
  it('words out of order', () => inline(`${word('1')}\n${word('3', '1')}\n`, 'f.conllu:2: word ID 3 out of order (expected 2)'));
  it('FEATS item without a value', () => inline(`${word('1', '0', 'Number')}\n`, 'f.conllu:1: FEATS item "Number" is not Key=Value'));
  it('a multiword token missing its words', () => inline(`${word('1')}\n2-3\tab\t_\t_\t_\t_\t_\t_\t_\t_\n${word('2', '1')}\n\n`, 'f.conllu:2: multiword token 2-3 is not followed by all of its words'));
  it('a multiword token that does not start at the next word', () => inline(`${word('1')}\n3-4\tab\t_\t_\t_\t_\t_\t_\t_\t_\n`, 'f.conllu:2: multiword token 3-4 must span the next words, from 2 on'));
  it('a comment among the word lines', () => inline(`${word('1')}\n# text = late\n`, "f.conllu:2: comment line among word lines (comments must come before a sentence's words)"));
});
