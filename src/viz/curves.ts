import type { Data } from 'plotly.js-dist';
import type { Metric, ProbeName, ResultRow } from '../results/types.js';
import { meanCI } from '../core/stats.js';
import { layerTicks, paletteColor, plotlyText, withAlpha, type Figure } from './figure.js';
import { chooseProbe, chooseTasks, lowerIsBetter, valuesByTaskLayer, type SeedValues } from '../results/select.js';

export interface LayerCurvesOptions {
  metric?: Metric; // default 'accuracy'
  tasks?: readonly string[]; // default: every task in the rows
  probe?: ProbeName; // default linear when present
  title?: string;
}

interface Curve {
  layers: number[];
  mean: number[];
  low: number[];
  high: number[];
}

function curve(values: SeedValues, task: string): Curve {
  const byLayer = values.get(task);
  const layers = [...(byLayer?.keys() ?? [])].sort((a, b) => a - b);
  const stats = layers.map((l) => meanCI(byLayer!.get(l)!));
  return { layers, mean: stats.map((s) => s.mean), low: stats.map((s) => s.low), high: stats.map((s) => s.high) };
}

/** A baseline measured once (at one layer) is drawn flat across all layers. */
function baselineLine(c: Curve, numLayers: number): { x: number[]; y: number[] } {
  if (c.layers.length === 1) return { x: [0, numLayers - 1], y: [c.mean[0], c.mean[0]] };
  return { x: c.layers, y: c.mean };
}

/**
 * The metric per layer, one line per task with its 95% CI over seeds as a band, the best layer starred;
 * for accuracy also each task's majority-class baseline (dashed) and control-task accuracy (dotted).
 */
const PROPORTIONS = new Set<Metric>(['accuracy', 'macro_f1', 'majority_accuracy', 'control_accuracy']);

export function layerCurves(rows: readonly ResultRow[], options: LayerCurvesOptions = {}): Figure {
  const metric = options.metric ?? 'accuracy';
  const probe = chooseProbe(rows, metric, options.probe);
  const values = valuesByTaskLayer(rows, metric, probe);
  const tasks = chooseTasks(values, options.tasks);
  const showBaselines = metric === 'accuracy';
  const majority = valuesByTaskLayer(rows, 'majority_accuracy', probe);
  const control = valuesByTaskLayer(rows, 'control_accuracy', probe);
  const numLayers = 1 + Math.max(...rows.map((r) => r.layer));
  const seeds = new Set(rows.filter((r) => r.metric === metric && r.probe === probe).map((r) => r.seed)).size;

  // A proportion's interval is shown within [0, 1] (few seeds give wide t intervals).
  const clip = PROPORTIONS.has(metric) ? (v: number) => Math.min(1, Math.max(0, v)) : (v: number) => v;
  const data: Data[] = [];
  tasks.forEach((task, i) => {
    const color = paletteColor(i);
    const c = curve(values, task);
    const label = plotlyText(task);
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
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      x: c.layers,
      y: c.mean,
      name: label,
      legendgroup: task,
      line: { color, width: 2 },
      marker: { color, size: 6 },
      customdata: c.layers.map((_, k) => [c.low[k], c.high[k]]),
      hovertemplate: `${label}<br>layer %{x}<br>${metric} %{y:.4f} [%{customdata[0]:.4f}, %{customdata[1]:.4f}]<extra></extra>`,
    });
    const pick = lowerIsBetter(metric) ? Math.min : Math.max;
    const best = c.mean.indexOf(pick(...c.mean));
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
    for (const [baseline, dash, kind] of [[majority, 'dash', 'majority baseline'], [control, 'dot', 'control task']] as const) {
      if (!baseline.has(task)) continue;
      data.push({
        type: 'scatter',
        mode: 'lines',
        ...baselineLine(curve(baseline, task), numLayers),
        name: `${label} ${kind}`,
        legendgroup: task,
        showlegend: false,
        line: { color, width: 1.5, dash },
        hovertemplate: `${label} ${kind}<br>layer %{x}<br>%{y:.4f}<extra></extra>`,
      });
    }
  });
  if (showBaselines) {
    // Legend keys for the line styles, in grey, once for all tasks.
    for (const [baseline, dash, label] of [[majority, 'dash', 'majority baseline'], [control, 'dot', 'control task']] as const) {
      if (!tasks.some((t) => baseline.has(t))) continue;
      data.push({ type: 'scatter', mode: 'lines', x: [null], y: [null], name: label, line: { color: '#555', dash, width: 1.5 }, hoverinfo: 'skip' });
    }
  }
  return {
    data,
    layout: {
      title: { text: options.title ?? `${metric} by layer (${probe} probe, mean and 95% CI over ${seeds} seed${seeds === 1 ? '' : 's'}; ★ best layer)` },
      xaxis: { title: { text: 'Layer' }, ...layerTicks(numLayers), tickmode: 'array', zeroline: false },
      yaxis: { title: { text: metric }, zeroline: false },
      hovermode: 'closest',
      height: Math.max(480, 160 + 30 * (tasks.length + 2)), // room for every legend entry (~30 px each)
    },
  };
}
