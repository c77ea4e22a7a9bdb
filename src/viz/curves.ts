import type { Dash, Data } from 'plotly.js-dist';
import { BASELINES, type Baseline, type Metric, type ProbeName, type ResultRow } from '../results/types.js';
import { meanCI } from '../core/stats.js';
import { layerTicks, paletteColor, plotlyText, withAlpha, type Figure } from './figure.js';
import { chooseProbe, chooseTasks, lowerIsBetter, valuesByTaskLayer } from '../results/select.js';

export interface LayerCurvesOptions {
  metric?: Metric; // default 'accuracy'
  tasks?: readonly string[]; // default: every task in the rows
  probe?: ProbeName; // default linear when present
  title?: string;
  labels?: Partial<CurveLabels>;
  /** Plotly's decimal and thousands separators, e.g. ", " for Russian; default ".,". */
  separators?: string;
}

export interface Curve {
  layers: number[];
  mean: number[];
  /** The band: test-set bootstrap interval (mean over seeds) for accuracy, else a t-interval over ≥ 2 seeds; absent otherwise. */
  low?: number[];
  high?: number[];
}

export function curve(rows: readonly ResultRow[], metric: Metric, probe: ProbeName, task: string): Curve {
  const values = valuesByTaskLayer(rows, metric, probe).get(task) ?? new Map<number, number[]>();
  const layers = [...values.keys()].sort((a, b) => a - b);
  const mean = layers.map((l) => meanCI(values.get(l)!).mean);
  if (metric === 'accuracy') {
    const low = valuesByTaskLayer(rows, 'ci_low', probe).get(task);
    const high = valuesByTaskLayer(rows, 'ci_high', probe).get(task);
    if (low && high) return { layers, mean, low: layers.map((l) => meanCI(low.get(l) ?? []).mean), high: layers.map((l) => meanCI(high.get(l) ?? []).mean) };
  }
  if (layers.every((l) => values.get(l)!.length >= 2)) {
    const stats = layers.map((l) => meanCI(values.get(l)!));
    return { layers, mean, low: stats.map((c) => c.low), high: stats.map((c) => c.high) };
  }
  return { layers, mean };
}

const BASELINE_DASH: Record<Baseline, Dash> = { majority: 'dash', length: 'dashdot', bow: 'longdash', lexical: 'longdashdot' };

/** The words a curve figure shows (English by default), so a report can draw it in another language. */
export interface CurveLabels {
  layer: string; // the x axis
  metric?: string; // the y axis; default the metric's name
  baselines: Record<Baseline, string>;
  control: string;
  best: string;
  band: string; // the band's legend name, e.g. "95% CI"
}

export const CURVE_LABELS: CurveLabels = {
  layer: 'Layer',
  baselines: { majority: 'majority baseline', length: 'length baseline', bow: 'bag-of-words baseline', lexical: 'lexical baseline' },
  control: 'control task',
  best: 'best layer',
  band: '95% CI',
};

export function curveLabels(labels: Partial<CurveLabels> = {}): CurveLabels {
  return { ...CURVE_LABELS, ...labels, baselines: { ...CURVE_LABELS.baselines, ...labels.baselines } };
}

/** Proportions are clipped to [0, 1] (an interval may poke out); other metrics are drawn as they are. */
export const PROPORTIONS = new Set<Metric>(['accuracy', 'macro_f1', 'dev_accuracy', 'seen_accuracy', 'unseen_accuracy', 'control_accuracy']);

/** Where a task's traces go: their colour, subplot axes, and whether they carry legend entries. */
interface Placement {
  color: string;
  /** Colour of the baselines and control line; default the task's colour. */
  guideColor?: string;
  xaxis?: string;
  yaxis?: string;
  /** The layer axis ends, for flat baselines. */
  span: [number, number];
  /** Prefix of trace names ("upos "), empty in a panel that names the task in its title. */
  prefix: string;
}

/**
 * One task's traces: the band, the mean line, the starred best layer and, for accuracy, each
 * baseline (flat: it reads no layer) and the control task's accuracy (dotted). Returns which line
 * styles it drew, for the shared legend keys.
 */
export function taskTraces(rows: readonly ResultRow[], task: string, metric: Metric, probe: ProbeName, at: Placement, labels: CurveLabels): { data: Data[]; drawn: Set<string> } {
  const { color, prefix } = at;
  const guide = at.guideColor ?? color;
  const axes = { ...(at.xaxis ? { xaxis: at.xaxis } : {}), ...(at.yaxis ? { yaxis: at.yaxis } : {}) };
  const clip = PROPORTIONS.has(metric) ? (v: number) => Math.min(1, Math.max(0, v)) : (v: number) => v;
  const c = curve(rows, metric, probe, task);
  const label = plotlyText(task);
  const axisName = labels.metric ?? metric;
  const data: Data[] = [];
  const drawn = new Set<string>();
  if (c.low && c.high) data.push(bandTrace(c.layers, c.low.map(clip), c.high.map(clip), color, axes, `${prefix}${labels.band}`, task, 0.18));
  data.push({
    type: 'scatter',
    ...axes,
    mode: 'lines+markers',
    x: c.layers,
    y: c.mean,
    name: prefix ? label : plotlyText(axisName),
    legendgroup: task,
    line: { color, width: 2 },
    marker: { color, size: 6 },
    ...(c.low && c.high
      ? { customdata: c.layers.map((_, k) => [c.low![k], c.high![k]]), hovertemplate: `${label}<br>${labels.layer} %{x}<br>${axisName} %{y:.4f} [%{customdata[0]:.4f}, %{customdata[1]:.4f}]<extra></extra>` }
      : { hovertemplate: `${label}<br>${labels.layer} %{x}<br>${axisName} %{y:.4f}<extra></extra>` }),
  });
  const best = bestIndex(rows, metric, probe, task, c);
  data.push({
    type: 'scatter',
    ...axes,
    mode: 'markers',
    x: [c.layers[best]],
    y: [c.mean[best]],
    name: `${prefix}${labels.best}`,
    legendgroup: task,
    showlegend: false,
    marker: { symbol: 'star', size: 15, color, line: { color: 'black', width: 1 } },
    hovertemplate: `${label}: ${labels.best} %{x}, ${axisName} %{y:.4f}<extra></extra>`,
  });
  if (metric !== 'accuracy') return { data, drawn };
  for (const baseline of BASELINES) {
    const value = rows.find((r) => r.task === task && r.probe === baseline && r.metric === 'accuracy')?.value;
    if (value === undefined) continue;
    drawn.add(baseline);
    const name = labels.baselines[baseline];
    data.push({ type: 'scatter', ...axes, mode: 'lines', x: at.span, y: [value, value], name: `${prefix}${name}`, legendgroup: task, showlegend: false, line: { color: guide, width: 1.2, dash: BASELINE_DASH[baseline] }, hovertemplate: `${label} ${name}: %{y:.4f}<extra></extra>` });
  }
  const control = curve(rows, 'control_accuracy', probe, task);
  if (control.layers.length) {
    drawn.add('control');
    data.push({ type: 'scatter', ...axes, mode: 'lines', x: control.layers, y: control.mean, name: `${prefix}${labels.control}`, legendgroup: task, showlegend: false, line: { color: guide, width: 1.5, dash: 'dot' }, hovertemplate: `${label} ${labels.control}<br>${labels.layer} %{x}<br>%{y:.4f}<extra></extra>` });
  }
  return { data, drawn };
}

/** A filled band between `low` and `high` over `x` (the upper edge forwards, the lower backwards), out of the legend and hover. */
export function bandTrace(x: readonly number[], low: readonly number[], high: readonly number[], color: string, axes: { xaxis?: string; yaxis?: string }, name: string, group: string, alpha: number): Data {
  return {
    type: 'scatter',
    ...axes,
    x: [...x, ...[...x].reverse()],
    y: [...high, ...[...low].reverse()],
    mode: 'lines',
    fill: 'toself',
    fillcolor: withAlpha(color, alpha),
    line: { width: 0 },
    hoverinfo: 'skip',
    showlegend: false,
    legendgroup: group,
    name,
  };
}

/** Legend keys for the line styles drawn, in grey, once for all tasks (invisible traces). */
/** Every task's traces, then one legend key per line style any of them drew (shared by the overlay and the small multiples). */
export function tasksWithStyleKeys(tasks: readonly string[], tracesOf: (task: string, i: number) => { data: Data[]; drawn: Set<string> }, labels: CurveLabels): Data[] {
  const data: Data[] = [];
  const drawn = new Set<string>();
  tasks.forEach((task, i) => {
    const traces = tracesOf(task, i);
    data.push(...traces.data);
    traces.drawn.forEach((d) => drawn.add(d));
  });
  return [...data, ...styleKeys(drawn, labels)];
}

export function styleKeys(drawn: ReadonlySet<string>, labels: CurveLabels): Data[] {
  const key = (name: string, dash: Dash, width: number): Data => ({ type: 'scatter', mode: 'lines', x: [null], y: [null], name, line: { color: '#555', dash, width }, hoverinfo: 'skip' });
  return [
    ...BASELINES.filter((b) => drawn.has(b)).map((b) => key(labels.baselines[b], BASELINE_DASH[b], 1.2)),
    ...(drawn.has('control') ? [key(labels.control, 'dot', 1.5)] : []),
  ];
}

/** What the band is, for a title: the bootstrap interval for accuracy, else a t-interval over seeds when there are two or more. */
export function bandDescription(rows: readonly ResultRow[], metric: Metric, probe: ProbeName): string {
  const seeds = new Set(rows.filter((r) => r.metric === metric && r.probe === probe).map((r) => r.seed)).size;
  return metric === 'accuracy' && rows.some((r) => r.metric === 'ci_low') ? '95% bootstrap CI over test sentences' : seeds >= 2 ? `95% t-interval over ${seeds} seeds` : `${seeds} seed, no band`;
}

/**
 * The metric per layer, one line per task with a band (for accuracy: the 95% bootstrap interval over
 * test sentences; otherwise a 95% t-interval over seeds, when there are at least two), the best layer
 * starred (chosen on dev accuracy when the results have it); for accuracy also each task's baselines
 * and control-task accuracy. Readable for a handful of tasks; `layerCurvesGrid` draws many.
 */
export function layerCurves(rows: readonly ResultRow[], options: LayerCurvesOptions = {}): Figure {
  const metric = options.metric ?? 'accuracy';
  const probe = chooseProbe(rows, metric, options.probe);
  const tasks = chooseTasks(valuesByTaskLayer(rows, metric, probe), options.tasks);
  const labels = curveLabels(options.labels);
  const numLayers = 1 + Math.max(...rows.map((r) => r.layer));
  const data = tasksWithStyleKeys(tasks, (task, i) => taskTraces(rows, task, metric, probe, { color: paletteColor(i), span: [0, numLayers - 1], prefix: `${plotlyText(task)} ` }, labels), labels);
  return {
    data,
    layout: {
      title: { text: options.title ?? `${metric} by layer (${probe} probe, mean over seeds; ${bandDescription(rows, metric, probe)}; ★ best layer)` },
      xaxis: { title: { text: labels.layer }, ...layerTicks(numLayers), tickmode: 'array', zeroline: false },
      yaxis: { title: { text: labels.metric ?? metric }, zeroline: false },
      hovermode: 'closest',
      height: Math.max(480, 160 + 30 * (tasks.length + 2)), // room for every legend entry (~30 px each)
      ...(options.separators ? { separators: options.separators } : {}),
    },
  };
}

/** Whether a curve of `metric` stars the best layer on dev (accuracy, when the results have dev rows) rather than its own best value. */
export function starsDevLayer(rows: readonly ResultRow[], metric: Metric): boolean {
  return metric === 'accuracy' && rows.some((r) => r.metric === 'dev_accuracy');
}

/** The starred layer: for accuracy the best mean dev accuracy when the results have it (the test set chooses nothing), else the best of the plotted metric. */
function bestIndex(rows: readonly ResultRow[], metric: Metric, probe: ProbeName, task: string, c: Curve): number {
  const dev = starsDevLayer(rows, metric) ? curve(rows, 'dev_accuracy', probe, task) : undefined;
  const scores = dev && dev.layers.length === c.layers.length ? dev.mean : c.mean;
  const pick = lowerIsBetter(metric) ? Math.min : Math.max;
  return scores.indexOf(pick(...scores));
}
