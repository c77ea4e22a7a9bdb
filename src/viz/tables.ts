import type * as dfd from 'danfojs-node';
import { escapeHtml } from '../core/html.js';
import type { ActivationCache } from '../core/activations.js';

/** Tables as HTML for a notebook (`showHtml`): a person reads a table, not a console dump. */

const TABLE_STYLE = 'border-collapse:collapse;font:12px/1.4 system-ui,sans-serif;margin:4px 0';
const CELL_STYLE = 'border:1px solid #ddd;padding:2px 8px';
const HEAD_STYLE = `${CELL_STYLE};background:#f3f3f3;text-align:left`;

type Cell = string | number | boolean | null | undefined;

function formatCell(value: Cell, digits: number): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '–';
    if (Number.isInteger(value)) return String(value);
    // Large values (code lengths in bits) in full rather than in exponent notation.
    if (Math.abs(value) >= 10 ** digits) return value.toFixed(0);
    return value.toPrecision(digits).replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
  }
  return value === null || value === undefined ? '' : String(value);
}

/** An HTML table with a header row; numbers right-aligned, `caption` above it. */
export function htmlTable(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>, options: { caption?: string; className?: string; digits?: number } = {}): string {
  const digits = options.digits ?? 4;
  const head = header.map((h) => `<th style="${HEAD_STYLE}">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((v) => `<td style="${CELL_STYLE}${typeof v === 'number' ? ';text-align:right' : ''}">${escapeHtml(formatCell(v, digits))}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = options.caption ? `<caption style="caption-side:top;text-align:left;font-weight:600">${escapeHtml(options.caption)}</caption>` : '';
  return `<table class="${options.className ?? 'layerwise-table'}" style="${TABLE_STYLE}">${caption}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>\n`;
}

export interface FrameTableOptions {
  /** Rows shown (default 20); the rest are counted below the table, as pandas does. */
  maxRows?: number;
  /** Columns shown (default 12); wide frames (one column per dimension) are cut likewise. */
  maxColumns?: number;
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  caption?: string;
}

/** A Danfo DataFrame as an HTML table (its index, then its columns), cut to a readable size. */
export function frameTable(frame: dfd.DataFrame, options: FrameTableOptions = {}): string {
  const maxRows = options.maxRows ?? 20;
  const maxColumns = options.maxColumns ?? 12;
  const [rows, cols] = frame.shape;
  const columns = frame.columns.slice(0, maxColumns);
  const values = frame.values as Cell[][];
  const index = frame.index as Array<string | number>;
  const body = values.slice(0, maxRows).map((row, r) => [index[r], ...row.slice(0, maxColumns)]);
  const hidden = [rows > maxRows ? `${rows - maxRows} more rows` : '', cols > maxColumns ? `${cols - maxColumns} more columns` : ''].filter(Boolean);
  const note = `<div style="font:11px system-ui,sans-serif;color:#666">${rows} rows × ${cols} columns${hidden.length ? ` (${hidden.join(', ')} not shown)` : ''}</div>\n`;
  return htmlTable(['', ...columns], body, { caption: options.caption, className: 'layerwise-frame', digits: options.digits }) + note;
}

/** Records (what `console.table` takes) as an HTML table: one row each, the columns their keys in first-seen order. */
export function recordsTable(records: ReadonlyArray<object>, options: { caption?: string; digits?: number } = {}): string {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const rows = records.map((r) => columns.map((c) => (r as Record<string, Cell>)[c]));
  return htmlTable(columns, rows, { ...options, className: 'layerwise-records' });
}

/** A text's tokens as the model saw them: position, token (as the tokenizer spells it) and vocabulary id. */
export function tokenTable(activations: Pick<ActivationCache, 'tokens' | 'inputIds' | 'text'>): string {
  const { tokens, inputIds } = activations;
  if (tokens.length !== inputIds.length) throw new Error(`${tokens.length} tokens but ${inputIds.length} ids: pass an ActivationCache from embedTokens`);
  const rows = tokens.map((token, position) => [position, token, inputIds[position]]);
  return htmlTable(['position', 'token', 'id'], rows, { caption: `${tokens.length} tokens of "${activations.text}"`, className: 'layerwise-tokens' });
}
