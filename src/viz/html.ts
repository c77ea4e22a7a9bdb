import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml } from '../core/html.js';
import type { Figure } from './figure.js';

let plotlyCache: string | undefined;

/** The plotly.js bundle (plotly.js-dist) as text safe to inline in a <script>, read once per process. */
export function plotlySource(): string {
  // `<\/script` means the same inside JS strings, regexes and comments but cannot close the tag.
  plotlyCache ??= readFileSync(createRequire(import.meta.url).resolve('plotly.js-dist'), 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  return plotlyCache;
}

/**
 * JSON safe to inline in a <script>: typed arrays become plain arrays, non-finite numbers null, and
 * `<` is escaped so a label such as "</script>" cannot end the script early.
 */
export function figureJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The plain text of a Plotly title, for the page's <title>. */
function titleText(fig: Figure): string {
  const t = fig.layout.title;
  const text = typeof t === 'string' ? t : t?.text ?? 'figure';
  return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * A script that draws `fig` into the element `id` as soon as window.Plotly exists: in a notebook the
 * cell carrying plotly.js may render after this one (reopened notebooks, nbconvert), so it waits.
 */
export function drawScript(fig: Figure, id: string): string {
  const config = { responsive: true, displaylogo: false, ...fig.config };
  return `(function () {
  var fig = ${figureJson({ data: fig.data, layout: fig.layout, config })};
  var tries = 0;
  function draw() {
    var el = document.getElementById(${JSON.stringify(id)});
    if (window.Plotly && el) { window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); return; }
    if (++tries < 600) { setTimeout(draw, 50); return; }
    if (el) el.textContent = 'plotly.js is not loaded on this page: re-run show(fig, { includePlotly: true }) in the notebook.';
  }
  draw();
})();`;
}

/** A single-file HTML page: plotly.js inlined, no network needed to view it. */
export function standaloneHtml(fig: Figure, size: { width?: number; height?: number } = {}): string {
  const width = size.width ? `${size.width}px` : '100%';
  const height = `${size.height ?? fig.layout.height ?? 500}px`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(titleText(fig))}</title>
<script>${plotlySource()}</script>
</head>
<body style="margin:0">
<div id="figure" style="width:${width};height:${height}"></div>
<script>${drawScript(fig, 'figure')}</script>
</body>
</html>
`;
}
