import { basename, join } from 'node:path';
import { layerNames } from '../core/activations.js';
import { writeFileAtomic } from '../core/atomic.js';
import { readResultsCsv } from '../results/csv.js';
import { summarizeResults } from '../results/summary.js';
import type { ResultRow, TaskSummary } from '../results/types.js';
import { closeBrowser } from '../viz/browser.js';
import { modelComparison } from '../viz/comparison.js';
import { saveFigure } from '../viz/save.js';
import { documentMarkdown, reportDate, type Block, type ReportDocument } from './document.js';
import { runLab, type LabOptions } from './lab.js';
import { sourcesSection } from './report.js';
import { modelFolderName, readRunSettings, resolveLabSettings, sameSettings } from './settings.js';
import { reportText } from './text/index.js';
import type { ComparisonFinding, ReportText } from './text/types.js';

export interface ComparisonOptions extends Omit<LabOptions, 'model' | 'outDir'> {
  models: readonly string[];
  /** Each model's lab goes to `<root>/<model folder>`, the comparison to `<root>/comparison-<a>-vs-<b>`. */
  root: string;
}

/** One model's results in a comparison, and whether they were read from an earlier run. */
export interface ComparedModel {
  model: string;
  name: string; // as figures and tables show it
  dir: string;
  rows: ResultRow[];
  summaries: TaskSummary[];
  reused: boolean;
}

export interface ComparisonResult {
  models: ComparedModel[];
  dir: string;
  files: string[];
}

/** Short names for figures: the last path segment, unless two models share it. */
function displayNames(models: readonly string[]): string[] {
  const short = models.map((m) => basename(m.replace(/\/+$/, '')));
  return new Set(short).size === short.length ? short : [...models];
}

/**
 * `layerwise lab --model A --model B …`: each model's lab in its own folder (reusing its results.csv
 * when its settings.json says they were measured with the same settings), then comparison figures and
 * tables on a relative-depth axis, so models of different depths line up.
 */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonResult> {
  if (options.models.length < 2) throw new Error(`a comparison needs at least two models, got ${options.models.length}`);
  const log = options.log ?? (() => {});
  const names = displayNames(options.models);
  const models: ComparedModel[] = [];
  for (const [i, model] of options.models.entries()) {
    const dir = join(options.root, modelFolderName(model));
    const wanted = resolveLabSettings({ ...options, model });
    const found = readRunSettings(dir);
    if (found && sameSettings(found, wanted)) {
      log(`model ${model}: reusing ${join(dir, 'results.csv')} (same settings)`);
      const rows = readResultsCsv(join(dir, 'results.csv'));
      models.push({ model, name: names[i], dir, rows, summaries: summarizeResults(rows), reused: true });
    } else {
      if (found) log(`model ${model}: ${join(dir, 'settings.json')} has other settings; running again`);
      const lab = await runLab({ ...options, model, outDir: dir });
      models.push({ model, name: names[i], dir, rows: lab.rows, summaries: lab.summaries, reused: false });
    }
  }
  const dir = join(options.root, `comparison-${names.map(modelFolderName).join('-vs-')}`);
  const text = reportText(options.lang ?? 'en');
  const files: string[] = [];
  let image: string | undefined;
  let missing = '';
  try {
    const figure = modelComparison(models.map((m) => ({ name: m.name, rows: m.rows })), {
      title: text.figure.comparisonTitle,
      labels: { depth: text.figure.depth, metric: text.figure.accuracy, band: text.figure.band },
      separators: text.separators,
    });
    files.push(...(await saveFigure(figure, join(dir, 'comparison-accuracy'), { formats: ['html', 'png', 'svg'] })));
    image = 'comparison-accuracy';
  } catch (err) {
    missing = text.notRendered((err as Error).message);
  } finally {
    await closeBrowser();
  }
  const doc = comparisonDocument(models, text, image, missing);
  writeFileAtomic(join(dir, 'comparison.md'), documentMarkdown(doc));
  files.push(join(dir, 'comparison.md'));
  log(`comparison: ${join(dir, 'comparison.md')}`);
  return { models, dir, files };
}

/** Per task, each model's best layer (dev) and interval; a model "wins" only when its interval lies above every other's. */
export function comparisonFindings(models: readonly ComparedModel[]): ComparisonFinding[] {
  const tasks = [...new Set(models.flatMap((m) => m.summaries.map((s) => s.task)))];
  return tasks.map((task) => {
    const entries = models.flatMap((m) => {
      const s = m.summaries.find((x) => x.task === task);
      const depth = Math.max(...m.rows.map((r) => r.layer));
      return s ? [{ name: m.name, accuracy: s.best_accuracy, low: s.best_ci_low, high: s.best_ci_high, relativeDepth: s.best_layer / depth, layer: layerNames(depth + 1)[s.best_layer] }] : [];
    });
    const winner = entries.findIndex((e, i) => entries.length > 1 && entries.every((o, j) => j === i || e.low > o.high));
    return { task, models: entries, ...(winner >= 0 ? { winner } : {}) };
  });
}

function comparisonDocument(models: readonly ComparedModel[], text: ReportText, image: string | undefined, missing: string): ReportDocument {
  const c = text.comparison;
  const { num } = text;
  const findings = comparisonFindings(models);
  const names = models.map((m) => m.name);
  const depths = models.map((m) => Math.max(...m.rows.map((r) => r.layer)));
  const rows = findings.map((f) => [`\`${f.task}\``, ...names.flatMap((name) => {
    const e = f.models.find((m) => m.name === name);
    return e ? [`${e.layer} (${num(e.relativeDepth, 2)})`, `${num(e.accuracy)} ${text.interval(e.low, e.high)}`] : ['–', '–'];
  })]);
  const results: Block[] = [
    { kind: 'paragraph', text: c.intro },
    { kind: 'table', caption: c.caption, header: c.header(names.map((n, i) => `${n} (L = ${depths[i]})`)), rows },
    { kind: 'figure', image, caption: c.figure, missing },
  ];
  const conclusions: Block[] = [{ kind: 'list', items: findings.map(c.finding) }, { kind: 'heading', text: text.conclusions.limitsTitle }, { kind: 'list', items: c.limits }];
  return {
    lang: text.lang,
    title: c.title(models.map((m) => m.model)),
    subtitle: c.subtitle(reportDate()),
    sections: [
      { id: 'results', title: text.sections.results, blocks: results },
      { id: 'conclusions', title: text.sections.conclusions, blocks: conclusions },
      { id: 'sources', title: text.sections.sources, blocks: sourcesSection([...results, ...conclusions], models.map((m) => m.model), text) },
    ],
  };
}
