import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as dfd from 'danfojs-node';
import type { Display } from 'tslab';
import type { Figure } from './figure.js';
import { drawScript, plotlySource } from './html.js';
import { frameTable, recordsTable, type FrameTableOptions } from './tables.js';

/** Where notebook HTML goes; in tslab that is `tslab.display.html`. */
export type HtmlDisplay = (html: string) => void;

export interface ShowOptions {
  /** Send plotly.js again with this figure (after the cell that carried it was cleared or re-run). */
  includePlotly?: boolean;
}

export interface NotebookRenderer {
  /** Displays a figure; the first call also sends plotly.js (several MB), later ones only the figure. */
  show(fig: Figure, options?: ShowOptions): void;
  /** Sends plotly.js now, e.g. in a notebook's first cell so it stays in the saved notebook. */
  loadPlotly(): void;
  /** Displays HTML as it is (a table, a head view). */
  showHtml(html: string): void;
}

function plotlyScript(): string {
  return `<script type="text/javascript">/* plotly.js for layerwise figures */\n${plotlySource()}\n</script>\n`;
}

function figureHtml(fig: Figure): string {
  const id = `layerwise-${randomUUID()}`;
  const height = typeof fig.layout.height === 'number' ? fig.layout.height : 480;
  return `<div id="${id}" style="width:100%;height:${height}px"></div>\n<script type="text/javascript">\n${drawScript(fig, id)}\n</script>\n`;
}

/**
 * A renderer that writes to `display` and sends plotly.js once: figures drawn later (or rendered
 * before it, as in a reopened notebook or nbconvert HTML) wait for window.Plotly to appear.
 */
export function notebookRenderer(display: HtmlDisplay): NotebookRenderer {
  let plotlySent = false;
  return {
    loadPlotly() {
      display(plotlyScript());
      plotlySent = true;
    },
    showHtml(html) {
      display(html);
    },
    show(fig, options = {}) {
      const withPlotly = !plotlySent || options.includePlotly === true;
      display((withPlotly ? plotlyScript() : '') + figureHtml(fig));
      plotlySent = true;
    },
  };
}

/**
 * The running tslab kernel's display, if this process is one. The kernel's own copy of tslab (often a
 * global install, not this package's dependency) is the one wired to Jupyter, so it is looked up among
 * the loaded modules: its jupyter.js holds the live writer while a cell runs.
 */
function tslabDisplay(): HtmlDisplay | undefined {
  const cache = createRequire(import.meta.url).cache;
  for (const [file, mod] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file) || !mod?.exports?.lastWriteDisplayData) continue;
    const { display } = createRequire(file)('./public.js') as { display: Display };
    return (html) => display.html(html);
  }
  return undefined;
}

const kernel = notebookRenderer((html) => tslabDisplay()?.(html));
let notedOutsideNotebook = false;

function inNotebook(): boolean {
  if (tslabDisplay()) return true;
  if (!notedOutsideNotebook) {
    notedOutsideNotebook = true;
    process.stderr.write("show(): not running in a tslab notebook, so nothing is displayed; saveFigure(fig, 'figures/name') writes HTML/PNG/SVG files\n");
  }
  return false;
}

/** Displays a figure inline in a tslab notebook; outside one it prints a note once and does nothing. */
export function show(fig: Figure, options?: ShowOptions): void {
  if (inNotebook()) kernel.show(fig, options);
}

/** Displays HTML (`tokenTable`, `frameTable`, `headView`) inline in a tslab notebook; outside one, as `show`. */
export function showHtml(html: string): void {
  if (inNotebook()) kernel.showHtml(html);
}

/** A Danfo DataFrame or a list of records (what `console.table` takes) as an HTML table in the notebook. */
export function showTable(table: dfd.DataFrame | ReadonlyArray<object>, options: FrameTableOptions = {}): void {
  showHtml(Array.isArray(table) ? recordsTable(table, options) : frameTable(table as dfd.DataFrame, options));
}

/** Sends plotly.js to the notebook now (optional: `show` sends it with the first figure anyway). */
export function loadPlotly(): void {
  if (inNotebook()) kernel.loadPlotly();
}
