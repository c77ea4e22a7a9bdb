import type { Config, Data, Layout } from 'plotly.js-dist';
import { layerNames } from '../core/activations.js';
import { escapeHtml } from '../core/html.js';

/**
 * A Plotly figure as plain data: every builder in this module returns one, so a notebook cell can
 * tweak `data` or `layout` before `show(fig)` or `saveFigure(fig, …)`.
 */
export interface Figure {
  data: Data[];
  layout: Partial<Layout>;
  config?: Partial<Config>;
}

/** Plotly's default colour cycle, spelled out so a line and its CI band can share a colour. */
// D3's category10, then darker companions, so the 11 English (or all 21) tasks get distinct colours.
export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#393b79', '#ad494a', '#637939', '#8c6d31', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363', '#843c39',
];

export function paletteColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** `#rrggbb` → `rgba(r,g,b,alpha)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Axis ticks `emb`, `1`, … for hidden-state indices 0 … n-1 (or encoder layers only with `from = 1`). */
export function layerTicks(numHiddenStates: number, from = 0): { tickvals: number[]; ticktext: string[] } {
  const names = layerNames(numHiddenStates);
  const tickvals = names.map((_, l) => l).slice(from);
  return { tickvals, ticktext: tickvals.map((l) => names[l]) };
}

/** Plotly reads a subset of HTML in every label: escape caller strings so a token like `<s>` shows as text. */
export function plotlyText(text: string): string {
  return escapeHtml(text, { quotes: false });
}
