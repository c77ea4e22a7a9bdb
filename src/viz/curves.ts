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
}

interface Curve {
  layers: number[];
  mean: number[];
  /** The band: test-set bootstrap interval (mean over seeds) for accuracy, else a t-interval over ≥ 2 seeds; absent otherwise. */
  low?: number[];
  high?: number[];
}

function curve(rows: readonly ResultRow[], metric: Metric, probe: ProbeName, task: string): Curve {
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
const BASELINE_NAME: Record<Baseline, string> = { majority: 'majority baseline', length: 'length baseline', bow: 'bag-of-words baseline', lexical: 'lexical baseline' };

/**
 * The metric per layer, one line per task with a band (for accuracy: the 95% bootstrap interval over
 * test sentences; otherwise a 95% t-interval over seeds, when there are at least two), the best layer
 * starred (chosen on dev accuracy when the results have it); for accuracy also each task's baselines
 * (flat: they read no layer) and control-task accuracy (dotted).
 */
const PROPORTIONS = new Set<Metric>(['accuracy', 'macro_f1', 'dev_accuracy', 'seen_accuracy', 'unseen_accuracy', 'control_accuracy']);

export function layerCurves(rows: readonly ResultRow[], options: LayerCurvesOptions = {}): Figure {
  const metric = options.metric ?? 'accuracy';
  const probe = chooseProbe(rows, metric, options.probe);
  const tasks = chooseTasks(valuesByTaskLayer(rows, metric, probe), options.tasks);
  const showBaselines = metric === 'accuracy';
  const numLayers = 1 + Math.max(...rows.map((r) => r.layer));
  const seeds = new Set(rows.filter((r) => r.metric === metric && r.probe === probe).map((r) => r.seed)).size;
  const clip = PROPORTIONS.has(metric) ? (v: number) => Math.min(1, Math.max(0, v)) : (v: number) => v;
  const flat = (value: number) => ({ x: [0, numLayers - 1], y: [value, value] });
  const data: Data[] = [];
  const drawn = new Set<string>();
  tasks.forEach((task, i) => {
    const color = paletteColor(i);
    const c = curve(rows, metric, probe, task);
    const label = plotlyText(task);
    if (c.low && c.high) {
      data.push({
        type: 'scatter',
        x: [...c.layers, ...[...c.layers].reverse()],
        y: [...c.high.map(clip), ...[...c.low].reverse().map(clip)],
        mode: 'lines',
        fill: 'toself',
        fillcolor: withAlpha(color, 0.18),
        line: { width: 0 },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup: task,
        name: `${label} 95% CI`,
      });
    }
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      x: c.layers,
      y: c.mean,
      name: label,
      legendgroup: task,
      line: { color, width: 2 },
      marker: { color, size: 6 },
      ...(c.low && c.high
        ? { customdata: c.layers.map((_, k) => [c.low![k], c.high![k]]), hovertemplate: `${label}<br>layer %{x}<br>${metric} %{y:.4f} [%{customdata[0]:.4f}, %{customdata[1]:.4f}]<extra></extra>` }
        : { hovertemplate: `${label}<br>layer %{x}<br>${metric} %{y:.4f}<extra></extra>` }),
    });
    const best = bestIndex(rows, metric, probe, task, c);
    data.push({
      type: 'scatter',
      mode: 'markers',
      x: [c.layers[best]],
      y: [c.mean[best]],
      name: `${label} best layer`,
      legendgroup: task,
      showlegend: false,
      marker: { symbol: 'star', size: 15, color, line: { color: 'black', width: 1 } },
      hovertemplate: `${label}: best layer %{x}, ${metric} %{y:.4f}<extra></extra>`,
    });
    if (!showBaselines) return;
    for (const baseline of BASELINES) {
      const value = rows.find((r) => r.task === task && r.probe === baseline && r.metric === 'accuracy')?.value;
      if (value === undefined) continue;
      drawn.add(baseline);
      data.push({ type: 'scatter', mode: 'lines', ...flat(value), name: `${label} ${BASELINE_NAME[baseline]}`, legendgroup: task, showlegend: false, line: { color, width: 1.2, dash: BASELINE_DASH[baseline] }, hovertemplate: `${label} ${BASELINE_NAME[baseline]}: %{y:.4f}<extra></extra>` });
    }
    const control = curve(rows, 'control_accuracy', probe, task);
    if (control.layers.length) {
      drawn.add('control');
      data.push({ type: 'scatter', mode: 'lines', x: control.layers, y: control.mean, name: `${label} control task`, legendgroup: task, showlegend: false, line: { color, width: 1.5, dash: 'dot' }, hovertemplate: `${label} control task<br>layer %{x}<br>%{y:.4f}<extra></extra>` });
    }
  });
  // Legend keys for the line styles, in grey, once for all tasks.
  for (const baseline of BASELINES) {
    if (drawn.has(baseline)) data.push({ type: 'scatter', mode: 'lines', x: [null], y: [null], name: BASELINE_NAME[baseline], line: { color: '#555', dash: BASELINE_DASH[baseline], width: 1.2 }, hoverinfo: 'skip' });
  }
  if (drawn.has('control')) data.push({ type: 'scatter', mode: 'lines', x: [null], y: [null], name: 'control task', line: { color: '#555', dash: 'dot', width: 1.5 }, hoverinfo: 'skip' });
  const band = metric === 'accuracy' && rows.some((r) => r.metric === 'ci_low') ? '95% bootstrap CI over test sentences' : seeds >= 2 ? `95% t-interval over ${seeds} seeds` : `${seeds} seed, no band`;
  return {
    data,
    layout: {
      title: { text: options.title ?? `${metric} by layer (${probe} probe, mean over seeds; ${band}; ★ best layer)` },
      xaxis: { title: { text: 'Layer' }, ...layerTicks(numLayers), tickmode: 'array', zeroline: false },
      yaxis: { title: { text: metric }, zeroline: false },
      hovermode: 'closest',
      height: Math.max(480, 160 + 30 * (tasks.length + 2)), // room for every legend entry (~30 px each)
    },
  };
}

/** The starred layer: for accuracy the best mean dev accuracy when the results have it (the test set chooses nothing), else the best of the plotted metric. */
function bestIndex(rows: readonly ResultRow[], metric: Metric, probe: ProbeName, task: string, c: Curve): number {
  const dev = metric === 'accuracy' ? curve(rows, 'dev_accuracy', probe, task) : undefined;
  const scores = dev && dev.layers.length === c.layers.length ? dev.mean : c.mean;
  const pick = lowerIsBetter(metric) ? Math.min : Math.max;
  return scores.indexOf(pick(...scores));
}
