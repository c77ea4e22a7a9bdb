import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command.js';
import { choiceOption, requiredOption } from './options.js';
import { readResultsCsv } from '../probe/csv.js';
import type { Metric, ProbeKind } from '../probe/types.js';
import { TASK_REGISTRY } from '../tasks/registry.js';
import { closeBrowser } from '../viz/browser.js';
import { layerCurves } from '../viz/curves.js';
import { layerHeatmap } from '../viz/heatmap.js';
import { FIGURE_FORMATS, saveFigure, type FigureFormat } from '../viz/save.js';

const KINDS = ['curves', 'heatmap'] as const;
const PROBES: readonly ProbeKind[] = ['linear', 'mlp'];

const usage = `usage: layerwise plot --results FILE --out PATH [--kind curves|heatmap] [--formats html,png,svg]
                      [--metric M] [--probe linear|mlp] [--tasks a,b,…] [--width N] [--height N] [--scale N]

Draws probing results as a figure and writes PATH.html (self-contained), PATH.png and PATH.svg.

  --results FILE  long-format results CSV (task,layer,probe,seed,metric,value)
  --out PATH      output path without extension, e.g. figures/en-curves
  --kind K        curves: metric per layer, 95% CI over seeds, baselines (default)
                  heatmap: tasks × layers, normalised per task, grouped by category
  --formats LIST  any of html, png, svg (default all; PNG/SVG need Chromium:
                  apt-get install chromium, or LAYERWISE_CHROMIUM=/path)
  --metric M      metric to plot (default accuracy)
  --probe P       linear or mlp (default linear when present)
  --tasks LIST    tasks to include, comma-separated (default all)
  --width N       figure width in CSS pixels (default 900)
  --height N      figure height (default: the figure's own)
  --scale N       PNG pixels per CSS pixel (default 2)`;

function formatsOption(value: string | undefined): FigureFormat[] {
  if (value === undefined) return [...FIGURE_FORMATS];
  const formats = value.split(',').map((f) => f.trim()).filter(Boolean);
  const bad = formats.filter((f) => !(FIGURE_FORMATS as readonly string[]).includes(f));
  if (bad.length || formats.length === 0) throw new UsageError(`--formats takes a comma-separated list of ${FIGURE_FORMATS.join(', ')}, got "${value}"`);
  return formats as FigureFormat[];
}

function positiveOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

export const plotCommand: Command = {
  name: 'plot',
  summary: 'draw probing results (layer curves or a tasks × layers heat map) to HTML/PNG/SVG',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        results: { type: 'string' },
        out: { type: 'string' },
        kind: { type: 'string' },
        formats: { type: 'string' },
        metric: { type: 'string' },
        probe: { type: 'string' },
        tasks: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        scale: { type: 'string' },
      },
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const rows = readResultsCsv(requiredOption(values.results, 'results'));
    const out = requiredOption(values.out, 'out');
    const kind = choiceOption(values.kind, 'kind', KINDS, 'curves');
    const formats = formatsOption(values.formats);
    const probe = values.probe === undefined ? undefined : choiceOption(values.probe, 'probe', PROBES, 'linear');
    // Unknown metric names are reported by the figure with the metrics the file does hold.
    const metric = (values.metric ?? 'accuracy') as Metric;
    const tasks = values.tasks?.split(',').map((t) => t.trim()).filter(Boolean);
    const fig =
      kind === 'curves'
        ? layerCurves(rows, { metric, probe, tasks })
        : layerHeatmap(rows, { metric, probe, tasks, categories: Object.fromEntries(TASK_REGISTRY.map((t) => [t.name, t.category])) });
    try {
      const written = await saveFigure(fig, out, {
        formats,
        width: positiveOption(values.width, 'width'),
        height: positiveOption(values.height, 'height'),
        scale: positiveOption(values.scale, 'scale'),
      });
      for (const path of written) console.log(path);
    } finally {
      await closeBrowser();
    }
    return 0;
  },
};
