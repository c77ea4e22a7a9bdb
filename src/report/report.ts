import { layerNames } from '../core/activations.js';
import type { LayerGeometry } from '../core/geometry.js';
import { escapeHtml } from '../core/html.js';
import { meanCI } from '../core/stats.js';
import { BASELINES, type Baseline, type ResultRow, type TaskSummary } from '../results/types.js';
import type { ProbingTask } from '../tasks/types.js';
import type { Figure } from '../viz/figure.js';
import { drawScript, plotlySource } from '../viz/html.js';

export interface ReportInput {
  model: string;
  date: string;
  settings: Record<string, string | number>;
  tasks: readonly ProbingTask[];
  rows: readonly ResultRow[];
  summaries: readonly TaskSummary[];
  stats: readonly LayerGeometry[];
  bank: readonly { layer: number; same: number; different: number }[];
  numHiddenStates: number;
  /** Figure name → caption, in report order; images are `<name>.png` beside the report. */
  figures: ReadonlyArray<{ name: string; caption: string; figure: Figure; image?: string }>;
  notes: string[];
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function meanAt(rows: readonly ResultRow[], task: string, layer: number, metric: string) {
  return meanCI(rows.filter((r) => r.task === task && r.layer === layer && r.metric === metric).map((r) => r.value));
}

/** A baseline's test accuracy (rows with `probe` = the baseline's name), NaN when it was not run. */
function baseline(rows: readonly ResultRow[], task: string, name: Baseline): number {
  return rows.find((r) => r.task === task && r.probe === name && r.metric === 'accuracy')?.value ?? NaN;
}

const ALPHA = 0.05;

/** Every statistic in the table, named by what it is and where it comes from. */
const STATISTICS = [
  'Each probe is fitted on the training split minus a dev part (10% of its sentences); λ is chosen on a validation split of the fitting part.',
  '**Best layer**: highest mean *dev* accuracy over seeds (the test set chooses nothing). **Test accuracy [95% CI]**: mean over seeds, with the 95% percentile bootstrap interval over test sentences (Efron & Tibshirani 1993; words of one sentence resampled together).',
  '**Gain over emb (p)**: test accuracy of the best layer minus the embedding layer\'s, by a paired bootstrap over the same resampled sentences (Berg-Kirkpatrick et al. 2012); p is two-sided, the largest over seeds.',
  '**Baselines** read no layer: majority = always the most frequent training label; length = most frequent label for the sentence\'s length in words; bow = the linear probe on bag-of-words counts; lexical = most frequent training label of the word type (unseen types: majority).',
  '**Seen / unseen**: word-task accuracy on test words whose type does / does not occur in the probe\'s training rows.',
  '**Expected layer**: Tenney et al. (2019)\'s expected layer under the differential scores, Σℓ·Δ(ℓ)/ΣΔ(ℓ), with Δ taken on the running best accuracy. **Selectivity**: accuracy − control-task accuracy, the control task giving each word type a random label (Hewitt & Liang 2019; only tasks about a word). **MDL**: online codelength of the training labels in kbits and its compression over the uniform code (Voita & Titov 2020), blocks of whole sentences, each block\'s probe with its own λ.',
].join(' ');

/**
 * Sentences read off the numbers, each only as strong as its statistics: a layer "beats" another
 * only when the paired bootstrap says so at p < 0.05 in every seed; a task is "not solved by the
 * encoder" when a baseline that reads no layer does as well.
 */
function findings(input: ReportInput): string[] {
  const names = layerNames(input.numHiddenStates);
  const lines: string[] = [];
  for (const s of input.summaries) {
    const strongest = BASELINES.map((b) => ({ name: b, value: baseline(input.rows, s.task, b) })).filter((b) => Number.isFinite(b.value)).sort((a, b) => b.value - a.value)[0];
    const vsEmb = Number.isFinite(s.best_gain_over_emb_p)
      ? s.best_gain_over_emb_p < ALPHA
        ? `beats the embedding layer by ${fmt(s.best_gain_over_emb)} (paired bootstrap p ≤ ${fmt(s.best_gain_over_emb_p)})`
        : `is not reliably better than the embedding layer (gain ${fmt(s.best_gain_over_emb)}, p = ${fmt(s.best_gain_over_emb_p)})`
      : '';
    const vsBaseline = strongest
      ? s.best_ci_low > strongest.value
        ? `; its 95% interval lies above the strongest baseline (${strongest.name} ${fmt(strongest.value)})`
        : `; the ${strongest.name} baseline (${fmt(strongest.value)}) is inside or above its 95% interval, so this task says little about the encoder`
      : '';
    lines.push(`- \`${s.task}\`: best layer ${names[s.best_layer]} (chosen on dev), test accuracy ${fmt(s.best_accuracy)} [${fmt(s.best_ci_low)}, ${fmt(s.best_ci_high)}]${vsEmb ? `; it ${vsEmb}` : ''}${vsBaseline}.`);
  }
  const byCategory = new Map<string, number[]>();
  for (const s of input.summaries) {
    const category = input.tasks.find((t) => t.name === s.task)?.category ?? 'other';
    byCategory.set(category, [...(byCategory.get(category) ?? []), s.expected_layer]);
  }
  lines.push(...[...byCategory].map(([category, values]) => `- **${category}** tasks: mean expected layer ${fmt(values.reduce((a, b) => a + b, 0) / values.length, 2)} (over ${values.length} task${values.length > 1 ? 's' : ''}; a description of where accuracy grows, with no interval).`));
  if (input.bank.length) {
    const gap = input.bank.map((b) => b.same - b.different);
    const widest = gap.indexOf(Math.max(...gap));
    lines.push(`- "bank": same-meaning pairs are ${gap[0] > 1e-6 ? 'already' : 'not'} closer than cross-meaning pairs at the embeddings (gap ${fmt(gap[0])}); the gap is widest at layer ${names[widest]} (${fmt(gap[widest])}). Four sentences: an illustration, not evidence.`);
  }
  return lines;
}

/** What the numbers do not show, said in every report. */
const LIMITS = [
  '- A probe that reaches high accuracy shows the information is *linearly decodable* (or decodable by a small MLP) from a layer, not that the model *uses* it (Belinkov 2022, "Probing Classifiers: Promises, Shortcomings, and Advances").',
  '- Accuracy above the baselines can still come from lexical memorisation: read selectivity (Hewitt & Liang 2019), the lexical baseline and the unseen-word accuracy of word tasks before crediting a layer.',
  '- Intervals are over test sentences of one treebank/dataset and the seeds of one probe family; another domain, language or probe may rank layers differently. The expected layer has no interval.',
  '- Differences between layers smaller than their intervals, or with p ≥ 0.05, are not evidence of an order between those layers; nothing was corrected for testing many layers.',
];

export function reportMarkdown(input: ReportInput): string {
  const names = layerNames(input.numHiddenStates);
  const summaryRows = input.summaries.map((s) => {
    const task = input.tasks.find((t) => t.name === s.task);
    const at = (metric: string) => meanAt(input.rows, s.task, s.best_layer, metric).mean;
    const base = (name: Baseline) => fmt(baseline(input.rows, s.task, name));
    const word = task?.level === 'word';
    return [`\`${s.task}\``, task?.category ?? '', task?.level ?? '', String(task?.labels.length ?? ''), String(task?.train.examples.length ?? ''), String(task?.test.examples.length ?? ''),
      base('majority'), word ? `lexical ${base('lexical')}` : `length ${base('length')}, bow ${base('bow')}`,
      names[s.best_layer], `${fmt(s.best_accuracy)} [${fmt(s.best_ci_low)}, ${fmt(s.best_ci_high)}]`,
      `${fmt(s.best_gain_over_emb)} (p ${fmt(s.best_gain_over_emb_p)})`,
      word ? `${fmt(at('seen_accuracy'))} / ${fmt(at('unseen_accuracy'))}` : '–',
      fmt(s.expected_layer, 2), fmt(s.selectivity), fmt(s.mdl_kbits, 1), fmt(at('mdl_compression'), 2)];
  });
  const statsRows = input.stats.map((s) => [s.layer_name, fmt(s.norm, 2), fmt(s.mean_cosine_to_previous_layer), fmt(s.mean_pairwise_cosine)]);
  const parts = [
    `# Layer-wise probing of \`${input.model}\``,
    '',
    `Generated by \`layerwise lab\` on ${input.date}. Every number below was measured in this run; the interactive version of every figure is in \`report.html\`.`,
    '',
    ...input.notes.flatMap((n) => [`> ${n}`, '']),
    '## Settings',
    '',
    table(['setting', 'value'], Object.entries(input.settings).map(([k, v]) => [k, String(v)])),
    '',
    '## Results per task',
    '',
    STATISTICS,
    '',
    table(['task', 'category', 'level', 'classes', 'train', 'test', 'majority', 'other baselines', 'best layer (dev)', 'test accuracy [95% CI]', 'gain over emb (p)', 'seen / unseen', 'expected layer', 'selectivity', 'MDL kbits', 'compression'], summaryRows),
    '',
    '## What the layers know',
    '',
    ...findings(input),
    '',
    '## Figures',
    '',
    ...input.figures.flatMap((f) => [`### ${f.caption}`, '', f.image ? `![${f.caption}](${f.image})` : `(image not rendered: open \`report.html\`)`, '']),
    '## What the numbers do not show',
    '',
    ...LIMITS,
    '',
    '## Geometry of sentence vectors per layer',
    '',
    'Mean L2 norm, mean cosine of a sentence\'s vector with its vector at the previous layer, and mean cosine between random pairs of different sentences (anisotropy, Ethayarajh 2019).',
    '',
    table(['layer', 'norm', 'cosine to previous layer', 'pairwise cosine'], statsRows),
    '',
  ];
  return parts.join('\n');
}

/** One self-contained page with every figure interactive (plotly.js inlined once). */
export function reportHtml(input: ReportInput): string {
  const figures = input.figures.map((f, i) => `<h2>${escapeHtml(f.caption)}</h2>\n<div id="fig${i}" style="width:100%;height:${f.figure.layout.height ?? 500}px"></div>\n<script>${drawScript(f.figure, `fig${i}`)}</script>`);
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>layerwise: ${escapeHtml(input.model)}</title>\n<script>${plotlySource()}</script>\n<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}</style>\n</head>\n<body>\n<h1>Layer-wise probing of ${escapeHtml(input.model)}</h1>\n<p>Generated on ${input.date}; see report.md for the tables.</p>\n${figures.join('\n')}\n</body>\n</html>\n`;
}
