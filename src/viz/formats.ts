/** File formats a figure can be saved in (kept apart from save.ts so the CLI can list them without loading a browser driver). */
export type FigureFormat = 'html' | 'png' | 'svg';
export const FIGURE_FORMATS: readonly FigureFormat[] = ['html', 'png', 'svg'];
