import { METRICS } from '../results/types.js';
import { FIGURE_FORMATS, type FigureFormat } from '../viz/formats.js';
import { UsageError, defineCommand } from './options.js';

function formatsOption(value: string | undefined): FigureFormat[] {
  if (value === undefined) return [...FIGURE_FORMATS];
  const formats = value.split(',').map((f) => f.trim()).filter(Boolean);
  const bad = formats.filter((f) => !(FIGURE_FORMATS as readonly string[]).includes(f));
  if (bad.length || formats.length === 0) throw new UsageError(`--formats takes a comma-separated list of ${FIGURE_FORMATS.join(', ')}, got "${value}"`);
  return formats as FigureFormat[];
}

export const plotCommand = defineCommand({
  name: 'plot',
  summary: 'draw probing results (layer curves or a tasks × layers heat map) to HTML/PNG/SVG',
  description: `Draws probing results as a figure and writes PATH.html (self-contained), PATH.png and PATH.svg
(PNG/SVG need Chromium: apt-get install chromium, or LAYERWISE_CHROMIUM=/path).`,
  options: {
    results: { type: 'string', placeholder: 'FILE', required: true, help: 'long-format results CSV (task,layer,probe,seed,metric,value)' },
    out: { type: 'string', placeholder: 'PATH', required: true, help: 'output path without extension, e.g. figures/en-curves' },
    kind: { type: 'choice', choices: ['curves', 'heatmap'], default: 'curves', help: 'curves: metric per layer with CIs and baselines; heatmap: tasks × layers, normalised per task' },
    formats: { type: 'string', placeholder: 'html,png,svg', help: 'any of html, png, svg (default all)' },
    metric: { type: 'choice', choices: METRICS, default: 'accuracy', help: 'metric to plot' },
    probe: { type: 'string', placeholder: 'NAME', help: 'probe to plot (default linear when present)' },
    tasks: { type: 'string', placeholder: 'a,b,…', help: 'tasks to include, comma-separated (default all)' },
    width: { type: 'number', positive: true, placeholder: 'N', help: 'figure width in CSS pixels (default 900)' },
    height: { type: 'number', positive: true, placeholder: 'N', help: "figure height (default: the figure's own)" },
    scale: { type: 'number', positive: true, placeholder: 'N', help: 'PNG pixels per CSS pixel (default 2)' },
  },
  environment: ['LAYERWISE_CHROMIUM'],
  async run(values) {
    const [{ readResultsCsv }, { TASK_REGISTRY }, { closeBrowser }, { layerCurves }, { layerHeatmap }, { saveFigure }] = await Promise.all([
      import('../results/csv.js'),
      import('../tasks/registry.js'),
      import('../viz/browser.js'),
      import('../viz/curves.js'),
      import('../viz/heatmap.js'),
      import('../viz/save.js'),
    ]);
    const rows = readResultsCsv(values.results);
    const { out, kind, probe, metric } = values;
    const formats = formatsOption(values.formats);
    const tasks = values.tasks?.split(',').map((t) => t.trim()).filter(Boolean);
    const fig =
      kind === 'curves'
        ? layerCurves(rows, { metric, probe, tasks })
        : layerHeatmap(rows, { metric, probe, tasks, categories: Object.fromEntries(TASK_REGISTRY.map((t) => [t.name, t.category])) });
    try {
      const written = await saveFigure(fig, out, {
        formats,
        width: values.width,
        height: values.height,
        scale: values.scale,
      });
      for (const path of written) console.log(path);
    } finally {
      await closeBrowser();
    }
    return 0;
  },
});
