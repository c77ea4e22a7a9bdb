import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command.js';
import { readConllu } from '../tasks/conllu.js';

const usage = `usage: layerwise conllu FILE [--json]

Reads and checks a CoNLL-U file (columns, IDs, multiword tokens, heads, cycles);
errors are reported as FILE:LINE: reason.

  --json  print [{"sent_id","text","words":[{"id","form","upos","head","deprel","feats"}]}]
          (multiword tokens resolved to their words, empty nodes left out)`;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${path}: no such file`);
    throw err;
  }
}

export const conlluCommand: Command = {
  name: 'conllu',
  summary: 'check a CoNLL-U file and print its sentences (--json)',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('give exactly one CoNLL-U file');
    const [file] = positionals;
    const sentences = readConllu(file, readText);
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
};
