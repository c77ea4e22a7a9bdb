import { readConllu } from '../tasks/conllu.js';
import { defineCommand } from './options.js';

export const conlluCommand = defineCommand({
  name: 'conllu',
  summary: 'check a CoNLL-U file and print its sentences (--json)',
  description: `Reads and checks a CoNLL-U file (columns, IDs, multiword tokens, heads, cycles);
errors are reported as FILE:LINE: reason.`,
  positional: { name: 'FILE', help: 'the CoNLL-U file' },
  options: {
    json: { type: 'boolean', help: 'print [{"sent_id","text","words":[{"id","form","upos","head","deprel","feats"}]}] (multiword tokens resolved, empty nodes left out)' },
  },
  async run(values, file) {
    if (file === undefined) throw new Error('give exactly one CoNLL-U file');
    const sentences = readConllu(file);
    if (values.json) {
      const out = sentences.map((s) => ({
        sent_id: s.sentId,
        text: s.text,
        words: s.words.map(({ id, form, upos, head, deprel, feats }) => ({ id, form, upos, head, deprel, feats })),
      }));
      console.log(JSON.stringify(out));
    } else {
      const count = (f: (s: (typeof sentences)[number]) => number) => sentences.reduce((n, s) => n + f(s), 0);
      const words = count((s) => s.words.length);
      const multiword = count((s) => s.tokens.filter((t) => t.last > t.first).length);
      const empty = count((s) => s.emptyNodes.length);
      console.log(`${file}: ${sentences.length} sentences, ${words} words, ${multiword} multiword tokens, ${empty} empty nodes`);
    }
    return 0;
  },
});
