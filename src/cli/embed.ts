import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { Encoder } from '../encoder/encoder.js';
import { poolSpan, type Pooling } from '../encoder/pool.js';
import { writeFileAtomic } from '../io/atomic.js';
import { writeNpy } from '../io/npy.js';
import { progressBar } from '../io/progress.js';
import { UsageError, type Command } from './command.js';
import { MODEL_OPTIONS, choiceOption, integerOption, modelSettings, noPositionals, requiredOption } from './options.js';

const usage = `usage: layerwise embed --model <id|dir> --input <file> --pooling <tokens|cls|mean|max> --out <file.json|file.npy>
                       [--attentions] [--dtype fp32|q8] [--batch-size N] [--max-length N] [--offline]

Extracts every hidden state (embeddings output + each layer) for each line of --input.
  --model       hub id (default Xenova/roberta-base) or a local model folder
  --pooling     tokens: every token; cls: first token; mean/max: over real tokens
  --attentions  also write attention maps [layer][head][token][token] (JSON only)
  --out x.json  {"model","num_hidden_states","hidden_size","items":[{"text","input_ids","hidden_states"}]}
  --out x.npy   pooled only: float32 [num_hidden_states, n_texts, hidden_size]`;

const POOLINGS = ['tokens', 'cls', 'mean', 'max'] as const;

function rounded(values: Float32Array): string {
  return `[${Array.from(values, (v) => Number(v.toPrecision(7))).join(',')}]`;
}

function* jsonChunks(head: Record<string, unknown>, items: Iterable<string>): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  yield encoder.encode(`${JSON.stringify(head).slice(0, -1)},"items":[\n`);
  let first = true;
  for (const item of items) {
    yield encoder.encode(`${first ? '' : ',\n'}${item}`);
    first = false;
  }
  yield encoder.encode('\n]}\n');
}

export const embedCommand: Command = {
  name: 'embed',
  summary: 'extract every hidden state (and attention maps) of a model for texts',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...MODEL_OPTIONS,
        input: { type: 'string' },
        pooling: { type: 'string' },
        out: { type: 'string' },
        attentions: { type: 'boolean' },
        'max-length': { type: 'string' },
      },
      allowPositionals: true,
    });
    noPositionals(positionals);
    const { model, dtype, offline, batchSize } = modelSettings(values);
    const pooling = choiceOption(requiredOption(values.pooling, 'pooling'), 'pooling', POOLINGS, 'mean');
    const out = requiredOption(values.out, 'out');
    const format = extname(out);
    if (format !== '.json' && format !== '.npy') throw new UsageError(`--out must end in .json or .npy, got "${out}"`);
    if (format === '.npy' && (pooling === 'tokens' || values.attentions)) throw new UsageError('--out .npy holds pooled vectors only: use --pooling cls|mean|max without --attentions, or write .json');
    const texts = readFileSync(requiredOption(values.input, 'input'), 'utf8').split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
    if (texts.length === 0) throw new Error(`${values.input} has no lines: write one text per line`);
    const maxLength = values['max-length'] ? integerOption(values['max-length'], 'max-length', 0) : undefined;

    const encoder = await Encoder.load(model, { dtype, offline });
    try {
      const onProgress = progressBar('embed');
      const head = { model: encoder.name, num_hidden_states: encoder.numHiddenStates, hidden_size: encoder.hiddenSize };
      if (pooling !== 'tokens' && !values.attentions) {
        const pooled = await encoder.embed(texts, { pooling, batchSize, maxLength, onProgress });
        if (format === '.npy') {
          writeNpy(out, [encoder.numHiddenStates, texts.length, encoder.hiddenSize], pooled.hiddenStates);
        } else {
          const d = encoder.hiddenSize;
          const items = texts.map((text, i) => `{"text":${JSON.stringify(text)},"input_ids":${JSON.stringify(encoder.inputIds(text, maxLength))},"hidden_states":[${pooled.hiddenStates.map((m) => rounded(m.subarray(i * d, (i + 1) * d))).join(',')}]}`);
          writeFileAtomic(out, jsonChunks(head, items));
        }
      } else {
        const activations = await encoder.embedTokens(texts, { batchSize, maxLength, onProgress, attentions: values.attentions });
        const d = encoder.hiddenSize;
        const item = (a: (typeof activations)[number]) => {
          const n = a.inputIds.length;
          const states = a.hiddenStates.map((m) => {
            if (pooling === 'tokens') return `[${Array.from({ length: n }, (_, t) => rounded(m.subarray(t * d, (t + 1) * d))).join(',')}]`;
            const v = new Float32Array(d);
            poolSpan(m, n, d, 0, 0, n, pooling as Pooling, v, 0);
            return rounded(v);
          });
          const attentions = a.attentions
            ? `,"attentions":[${a.attentions.map((heads) => `[${heads.map((map) => `[${Array.from({ length: n }, (_, q) => rounded(map.subarray(q * n, (q + 1) * n))).join(',')}]`).join(',')}]`).join(',')}]`
            : '';
          return `{"text":${JSON.stringify(a.text)},"input_ids":${JSON.stringify(a.inputIds)},"tokens":${JSON.stringify(a.tokens)},"hidden_states":[${states.join(',')}]${attentions}}`;
        };
        writeFileAtomic(out, jsonChunks(head, (function* () { for (const a of activations) yield item(a); })()));
      }
      console.error(`wrote ${out}: ${texts.length} texts × ${encoder.numHiddenStates} hidden states × ${encoder.hiddenSize}`);
      return 0;
    } finally {
      await encoder.dispose();
    }
  },
};
