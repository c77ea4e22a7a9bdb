import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import type { ResultRow, TaskSummary } from '../results/types.js';
import type { ProbingTask } from '../tasks/types.js';
import { saveFigure } from '../viz/save.js';
import { documentMarkdown, documentPrintHtml, reportDate } from './document.js';
import type { Exploration } from './explore.js';
import { labFigures } from './figures.js';
import { printPdf } from './pdf.js';
import { reportDocument, reportHtml, type ReportFigure, type ReportInput, type RunSettings } from './report.js';
import { reportText } from './text/index.js';
import type { Lang } from './text/types.js';

/** What a report is built from: one model's probing results, and what else the run measured. */
export interface ReportRun {
  model: string;
  /** Embeddings + encoder layers. */
  numHiddenStates: number;
  tasks: readonly ProbingTask[];
  rows: readonly ResultRow[];
  summaries: readonly TaskSummary[];
  settings?: RunSettings;
  /** Geometry, context and attention figures (explore.ts); without it the report has the probing figures only. */
  exploration?: Exploration;
  /** Default: now, to the minute, UTC. */
  date?: string;
}

export interface BuildReportOptions {
  outDir: string;
  lang?: Lang; // default en
  /** Print report.pdf (needs Chromium, as the figure images do); default true. */
  pdf?: boolean;
}

export interface BuiltReport {
  files: string[];
  /** Why something was not written (no Chromium, …): also said in the report. */
  notes: string[];
  input: ReportInput;
}

/**
 * Writes a report of one model's results into `outDir`: every figure as PNG and SVG, report.md,
 * report.html (interactive figures), report.print.html and report.pdf (A4, SVG figures). Callable
 * from a notebook with the rows and summaries of `probeLayers`; `runLab` calls it with everything.
 */
export async function buildReport(run: ReportRun, options: BuildReportOptions): Promise<BuiltReport> {
  const text = reportText(options.lang ?? 'en');
  const figures: ReportFigure[] = labFigures(run, text);
  const files: string[] = [];
  const notes: string[] = [];
  for (const f of figures) {
    try {
      files.push(...(await saveFigure(f.figure, join(options.outDir, f.name), { formats: ['png', 'svg'] })));
      f.image = f.name;
    } catch (err) {
      notes.push(text.notRendered((err as Error).message));
      break;
    }
  }
  const input: ReportInput = {
    model: run.model,
    date: run.date ?? reportDate(),
    numHiddenStates: run.numHiddenStates,
    tasks: run.tasks,
    rows: run.rows,
    summaries: run.summaries,
    settings: run.settings ?? {},
    stats: run.exploration?.stats,
    bank: run.exploration?.bank,
    figures,
    notes,
  };
  const doc = reportDocument(input, text);
  const write = (name: string, content: string) => {
    writeFileAtomic(join(options.outDir, name), content);
    files.push(join(options.outDir, name));
  };
  write('report.md', documentMarkdown(doc));
  write('report.html', reportHtml(input, text));
  write('report.print.html', documentPrintHtml(doc));
  if ((options.pdf ?? true) && notes.length === 0) {
    await printPdf(join(options.outDir, 'report.print.html'), join(options.outDir, 'report.pdf'));
    files.push(join(options.outDir, 'report.pdf'));
  }
  return { files, notes, input };
}
