import { extname } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import { SENTENCE_POOLINGS } from '../core/config.js';
import { writeNpy } from '../core/npy.js';
import { progressBar } from '../core/progress.js';
import { readTextLines } from '../core/validate.js';
import { MODEL_OPTIONS, UsageError, defineCommand } from './options.js';

function rounded(values: Float32Array): string {
  return `[${Array.from(values, (v) => Number(v.toPrecision(7))).join(',')}]`;
}

/** The JSON output streamed item by item, so a large extraction is never one huge string. */
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

const EMBED_POOLINGS = ['tokens', ...SENTENCE_POOLINGS] as const;

export const embedCommand = defineCommand({
  name: 'embed',
  summary: 'extract every hidden state (and attention maps) of a model for texts',
  description: `Extracts every hidden state (embeddings output + each layer) for each line of --input.
  --out x.json  {"model","num_hidden_states","hidden_size","items":[{"text","input_ids","hidden_states"}]}
                (with --pooling tokens also "tokens"; with --attentions also "attentions"
                [layer 1…L][head][query][key])
  --out x.npy   pooled only: float32 [num_hidden_states, n_texts, hidden_size]`,
  options: {
    ...MODEL_OPTIONS,
    input: { type: 'string', placeholder: '<file>', required: true, help: 'one text per line (UTF-8; a blank line is an error)' },
    'skip-blank-lines': { type: 'boolean', help: 'skip blank lines of --input instead of refusing the file (the output then has one item per non-blank line)' },
    pooling: { type: 'choice', choices: EMBED_POOLINGS, required: true, help: 'tokens: every token; cls: first token; mean/max: over real tokens' },
    out: { type: 'string', placeholder: '<file.json|file.npy>', required: true, help: 'where to write the vectors' },
    attentions: { type: 'boolean', help: 'also write attention maps (JSON only)' },
    'max-length': { type: 'integer', min: 3, help: "token limit per text, special tokens included (default the model's)" },
  },
  environment: ['LAYERWISE_CACHE', 'HF_HUB_CACHE'],
  async run(values) {
    const { pooling, out } = values;
    const format = extname(out);
    if (format !== '.json' && format !== '.npy') throw new UsageError(`--out must end in .json or .npy, got "${out}"`);
    if (format === '.npy' && (pooling === 'tokens' || values.attentions)) throw new UsageError('--out .npy holds pooled vectors only: use --pooling cls|mean|max without --attentions, or write .json');
    const texts = readTextLines(values.input, { blankLines: values['skip-blank-lines'] ? 'skip' : 'error', skipHint: 'or pass --skip-blank-lines' });
    const maxLength = values['max-length'];
    const batchSize = values['batch-size'];
    const { Encoder } = await import('../encoder/encoder.js');
    const encoder = await Encoder.load(values.model, { dtype: values.dtype, offline: values.offline });
    try {
      const onProgress = progressBar('embed');
      const head = { model: encoder.name, num_hidden_states: encoder.numHiddenStates, hidden_size: encoder.hiddenSize };
      const pooled = pooling === 'tokens' ? undefined : await encoder.embed(texts, { pooling, batchSize, maxLength, onProgress });
      if (pooled && format === '.npy') {
        writeNpy(out, [encoder.numHiddenStates, texts.length, encoder.hiddenSize], pooled.matrices());
      } else if (pooled && !values.attentions) {
        const items = texts.map((text, i) => `{"text":${JSON.stringify(text)},"input_ids":${JSON.stringify(encoder.inputIds(text, maxLength))},"hidden_states":[${pooled.rowAcrossLayers(i).map(rounded).join(',')}]}`);
        writeFileAtomic(out, jsonChunks(head, items));
      } else {
        const activations = await encoder.embedTokens(texts, { batchSize, maxLength, onProgress, attentions: values.attentions });
        const item = (a: (typeof activations)[number], i: number) => {
          const n = a.numTokens;
          const states = pooled
            ? pooled.rowAcrossLayers(i).map(rounded)
            : a.hiddenStates.layers.map((l) => `[${Array.from({ length: n }, (_, t) => rounded(a.hiddenStates.row(t, l))).join(',')}]`);
          const attentions = values.attentions
            ? `,"attentions":[${a.attentionLayers.map((l) => `[${a.attention(l).map((map) => `[${Array.from({ length: n }, (_, q) => rounded(map.subarray(q * n, (q + 1) * n))).join(',')}]`).join(',')}]`).join(',')}]`
            : '';
          return `{"text":${JSON.stringify(a.text)},"input_ids":${JSON.stringify(a.inputIds)},"tokens":${JSON.stringify(a.tokens)},"hidden_states":[${states.join(',')}]${attentions}}`;
        };
        writeFileAtomic(out, jsonChunks(head, activations.map(item)));
      }
      console.error(`wrote ${out}: ${texts.length} texts × ${encoder.numHiddenStates} hidden states × ${encoder.hiddenSize}`);
      return 0;
    } finally {
      await encoder.dispose();
    }
  },
});
