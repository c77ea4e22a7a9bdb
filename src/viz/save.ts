import { writeFileAtomic } from '../core/atomic.js';
import { checkNumber } from '../core/validate.js';
import { renderImage } from './browser.js';
import type { Figure } from './figure.js';
import { FIGURE_FORMATS, type FigureFormat } from './formats.js';
import { standaloneHtml } from './html.js';

export { FIGURE_FORMATS, type FigureFormat } from './formats.js';

export interface SaveFigureOptions {
  formats?: readonly FigureFormat[]; // default html, png and svg
  width?: number; // CSS pixels; default layout.width or 900
  height?: number; // default layout.height or 500
  scale?: number; // PNG pixel density: the PNG is width·scale × height·scale. Default 2
}

/**
 * Writes `base` + `.html` (self-contained, plotly.js inlined), `.png` and/or `.svg`. Images come from
 * the shared headless Chromium (see closeBrowser); without one the HTML is still written and the error
 * says how to get images. Returns the paths written.
 */
export async function saveFigure(fig: Figure, base: string, options: SaveFigureOptions = {}): Promise<string[]> {
  const formats = options.formats ?? FIGURE_FORMATS;
  const unknown = formats.filter((f) => !FIGURE_FORMATS.includes(f));
  if (unknown.length) throw new Error(`saveFigure: unknown format(s) ${unknown.join(', ')}; use ${FIGURE_FORMATS.join(', ')}`);
  const stem = base.replace(/\.(html|png|svg)$/i, '');
  const width = options.width ?? (typeof fig.layout.width === 'number' ? fig.layout.width : 900);
  const height = options.height ?? (typeof fig.layout.height === 'number' ? fig.layout.height : 500);
  const scale = options.scale ?? 2;
  for (const [name, value] of [['width', width], ['height', height], ['scale', scale]] as const) checkNumber(name, value, (v) => v > 0, '> 0');
  const written: string[] = [];
  if (formats.includes('html')) {
    writeFileAtomic(`${stem}.html`, standaloneHtml(fig, { width: options.width, height }));
    written.push(`${stem}.html`);
  }
  for (const format of ['png', 'svg'] as const) {
    if (!formats.includes(format)) continue;
    let image: Buffer | string;
    try {
      image = await renderImage(fig, format, { width, height, scale: format === 'png' ? scale : 1 }); // SVG stays in CSS pixels
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${format.toUpperCase()} not written: ${message}${written.length ? ` (wrote ${written.join(', ')})` : ''}`);
    }
    writeFileAtomic(`${stem}.${format}`, image);
    written.push(`${stem}.${format}`);
  }
  return written;
}
