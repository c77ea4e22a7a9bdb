import { existsSync } from 'node:fs';
import { layerNames } from '../core/activations.js';
import type { LayerGeometry } from '../core/geometry.js';
import { escapeHtml } from '../core/html.js';
import { meanCI } from '../core/stats.js';
import { BASELINES, isBaseline, type Baseline, type ResultRow, type TaskSummary } from '../results/types.js';
import type { ProbingTask } from '../tasks/types.js';
import type { Figure } from '../viz/figure.js';
import { drawScript, plotlySource } from '../viz/html.js';
import { cite, citedIn, modelSource, taskDataset } from './bibliography.js';
import { documentMarkdown, type Block, type ReportDocument } from './document.js';
import { en } from './text/en.js';
import type { ReportText, RunSettings, SettingsView, TaskFinding } from './text/types.js';

export type { RunSettings } from './text/types.js';


export interface ReportFigure {
  name: string; // file stem beside the report
  caption: string;
  figure: Figure;
  /** Set once `<name>.png` and `<name>.svg` exist beside the report. */
  image?: string;
}

export interface ReportInput {
  model: string;
  date: string;
  numHiddenStates: number;
  tasks: readonly ProbingTask[];
  rows: readonly ResultRow[];
  summaries: readonly TaskSummary[];
  settings: RunSettings;
  /** Geometry of sentence vectors and the "bank" cosines (explore.ts), when the run measured them. */
  stats?: readonly LayerGeometry[];
  bank?: readonly { layer: number; same: number; different: number }[];
  figures: readonly ReportFigure[];
  notes: readonly string[];
}

const ALPHA = 0.05;

function meanAt(rows: readonly ResultRow[], task: string, layer: number, metric: string): number {
  return meanCI(rows.filter((r) => r.task === task && r.layer === layer && r.metric === metric).map((r) => r.value)).mean;
}

/** A baseline's test accuracy (rows with `probe` = the baseline's name), NaN when it was not run. */
function baseline(rows: readonly ResultRow[], task: string, name: Baseline): number {
  return rows.find((r) => r.task === task && r.probe === name && r.metric === 'accuracy')?.value ?? NaN;
}

/** The settings as the run shows them: probe, seeds, controls and MDL are read from the rows themselves. */
export function settingsView(input: ReportInput): SettingsView {
  const probed = input.rows.filter((r) => !isBaseline(r.probe));
  const probe = input.summaries[0]?.probe ?? probed[0]?.probe ?? 'linear';
  return {
    ...input.settings,
    model: input.model,
    hiddenStates: input.numHiddenStates,
    probe,
    seeds: new Set(probed.filter((r) => r.metric === 'accuracy' && r.probe === probe).map((r) => r.seed)).size,
    control: probed.some((r) => r.metric === 'control_accuracy'),
    mdl: probed.some((r) => r.metric === 'mdl_bits'),
    ...fitCounts(probed.filter((r) => r.metric === 'converged' && r.probe === probe)),
  };
}

function fitCounts(converged: readonly ResultRow[]): Pick<SettingsView, 'fits'> {
  return converged.length > 0 ? { fits: { total: converged.length, limited: converged.filter((r) => r.value === 0).length } } : {};
}

/**
 * Each task's evidence, only as strong as its statistics: the best layer "beats" the embeddings
 * only when the paired bootstrap gives p < 0.05 in every seed (the summary keeps the largest p) and
 * the gain is positive; a task "says little about the encoder" when a baseline that reads no layer
 * reaches the best layer's 95% interval.
 */
export function taskFindings(input: ReportInput): TaskFinding[] {
  const names = layerNames(input.numHiddenStates);
  return input.summaries.map((s) => {
    const strongest = BASELINES.map((name) => ({ name, value: baseline(input.rows, s.task, name) })).filter((b) => Number.isFinite(b.value)).sort((a, b) => b.value - a.value)[0];
    const word = input.tasks.find((t) => t.name === s.task)?.level === 'word';
    const seen = meanAt(input.rows, s.task, s.best_layer, 'seen_accuracy');
    const unseen = meanAt(input.rows, s.task, s.best_layer, 'unseen_accuracy');
    return {
      task: s.task,
      bestLayer: names[s.best_layer],
      accuracy: s.best_accuracy,
      low: s.best_ci_low,
      high: s.best_ci_high,
      ...(Number.isFinite(s.best_gain_over_emb_p) ? { emb: { gain: s.best_gain_over_emb, p: s.best_gain_over_emb_p, verdict: s.best_gain_over_emb_p >= ALPHA ? 'unclear' : s.best_gain_over_emb > 0 ? 'better' : 'worse' } as const } : {}),
      ...(strongest ? { baseline: { name: strongest.name, value: strongest.value, below: s.best_ci_low > strongest.value } } : {}),
      ...(word && Number.isFinite(seen) && Number.isFinite(unseen) ? { seenUnseen: { seen, unseen } } : {}),
      ...(Number.isFinite(s.selectivity) ? { selectivity: s.selectivity } : {}),
    };
  });
}

function conclusions(input: ReportInput, text: ReportText): Block[] {
  const c = text.conclusions;
  const lines = taskFindings(input).map(c.task);
  const byCategory = new Map<string, number[]>();
  for (const s of input.summaries) {
    const category = input.tasks.find((t) => t.name === s.task)?.category ?? 'other';
    byCategory.set(category, [...(byCategory.get(category) ?? []), s.expected_layer]);
  }
  lines.push(...[...byCategory].map(([category, values]) => c.category(text.system.category[category as keyof typeof text.system.category] ?? category, values.reduce((a, b) => a + b, 0) / values.length, values.length)));
  if (input.bank?.length) {
    const names = layerNames(input.numHiddenStates);
    const gap = input.bank.map((b) => b.same - b.different);
    const widest = gap.indexOf(Math.max(...gap));
    lines.push(c.bank(gap[0] > 1e-6, gap[0], names[widest], gap[widest]));
  }
  return [{ kind: 'paragraph', text: c.intro }, { kind: 'list', items: lines }, { kind: 'heading', text: c.limitsTitle }, { kind: 'list', items: c.limits }];
}

function results(input: ReportInput, text: ReportText): Block[] {
  const { num } = text;
  const r = text.results;
  const names = layerNames(input.numHiddenStates);
  const main = input.summaries.map((s) => {
    const word = input.tasks.find((t) => t.name === s.task)?.level === 'word';
    const base = (name: Baseline) => `${r.baselineName[name]} ${num(baseline(input.rows, s.task, name))}`;
    const at = (metric: string) => meanAt(input.rows, s.task, s.best_layer, metric);
    return [`\`${s.task}\``, num(baseline(input.rows, s.task, 'majority')), word ? base('lexical') : `${base('length')}, ${base('bow')}`, names[s.best_layer],
      `${num(s.best_accuracy)} ${text.interval(s.best_ci_low, s.best_ci_high)}`, Number.isFinite(s.best_gain_over_emb_p) ? `${num(s.best_gain_over_emb)} (${text.pValue(s.best_gain_over_emb_p)})` : '–',
      word ? `${num(at('seen_accuracy'))} / ${num(at('unseen_accuracy'))}` : '–'];
  });
  const extra = input.summaries.map((s) => [`\`${s.task}\``, num(s.expected_layer, 2), num(s.selectivity), num(s.mdl_kbits, 1), num(meanAt(input.rows, s.task, s.best_layer, 'mdl_compression'), 2)]);
  const blocks: Block[] = [
    { kind: 'paragraph', text: r.intro },
    { kind: 'table', caption: r.mainCaption, header: r.mainHeader, rows: main },
    { kind: 'table', caption: r.extraCaption, header: r.extraHeader, rows: extra },
    ...input.figures.map((f): Block => ({ kind: 'figure', image: f.image, caption: f.caption, missing: text.figureMissing })),
  ];
  if (input.stats?.length) {
    blocks.push({ kind: 'paragraph', text: r.geometryIntro }, { kind: 'table', header: r.geometryHeader, rows: input.stats.map((g) => [g.layer_name, num(g.norm, 2), num(g.mean_cosine_to_previous_layer), num(g.mean_pairwise_cosine)]) });
  }
  return blocks;
}

function system(input: ReportInput, text: ReportText): Block[] {
  const t = text.system;
  const view = settingsView(input);
  const source = modelSource(input.model);
  return [
    ...t.intro,
    { kind: 'paragraph', text: t.model(input.model, input.numHiddenStates - 1, view.hiddenSize, source ? cite(source) : '') },
    { kind: 'paragraph', text: t.tasksIntro },
    {
      kind: 'table',
      header: t.tasksHeader,
      rows: input.tasks.map((task) => {
        const data = taskDataset(task.name);
        return [`\`${task.name}\``, t.category[task.category], t.level[task.level], String(task.labels.length), String(task.train.examples.length), String(task.test.examples.length), `${data.name} ${cite(...data.refs)}`];
      }),
    },
    { kind: 'list', items: t.protocol(view) },
    { kind: 'list', items: t.statistics },
    { kind: 'table', caption: t.settingsCaption, header: t.settingsHeader, rows: t.settings(view).map(([k, v]) => [k, v]) },
  ];
}

/** The URL of a hub model id (`owner/name`); a local folder has none. */
export function modelUrl(model: string): string | undefined {
  return !existsSync(model) && /^[\w-][\w.-]*\/[\w.-]+$/.test(model) ? `https://huggingface.co/${model}` : undefined;
}

/** Sources: every reference cited in the other sections, then the model. */
export function sourcesSection(body: readonly Block[], models: readonly string[], text: ReportText): Block[] {
  const cited = citedIn(JSON.stringify(body));
  return [{ kind: 'paragraph', text: text.sources.intro }, { kind: 'list', ordered: true, items: [...cited.map((r) => r.entry), ...models.map((m) => text.sources.model(m, modelUrl(m)))] }];
}

/** The lab's report in its five sections, in the lab's own structure. */
export function reportDocument(input: ReportInput, text: ReportText = en): ReportDocument {
  const s = text.sections;
  const sections = [
    { id: 'theory', title: s.theory, blocks: text.theory },
    { id: 'system', title: s.system, blocks: system(input, text) },
    { id: 'results', title: s.results, blocks: [...input.notes.map((n): Block => ({ kind: 'note', text: n })), ...results(input, text)] },
    { id: 'conclusions', title: s.conclusions, blocks: conclusions(input, text) },
  ];
  return {
    lang: text.lang,
    title: text.title(input.model),
    subtitle: text.subtitle(input.date),
    sections: [...sections, { id: 'sources', title: s.sources, blocks: sourcesSection(sections.flatMap((x) => x.blocks), [input.model], text) }],
  };
}

export function reportMarkdown(input: ReportInput, text: ReportText = en): string {
  return documentMarkdown(reportDocument(input, text));
}

/** One self-contained page with every figure interactive (plotly.js inlined once). */
export function reportHtml(input: ReportInput, text: ReportText = en): string {
  const figures = input.figures.map((f, i) => `<h2>${escapeHtml(f.caption)}</h2>\n<div id="fig${i}" style="width:100%;height:${f.figure.layout.height ?? 500}px"></div>\n<script>${drawScript(f.figure, `fig${i}`)}</script>`);
  const title = text.title(input.model).replace(/`/g, '');
  return `<!DOCTYPE html>\n<html lang="${text.lang}">\n<head>\n<meta charset="utf-8">\n<title>layerwise: ${escapeHtml(title)}</title>\n<script>${plotlySource()}</script>\n<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}</style>\n</head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text.subtitle(input.date).replace(/`/g, ''))}</p>\n${figures.join('\n')}\n</body>\n</html>\n`;
}
