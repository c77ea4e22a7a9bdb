import { en } from './en.js';
import { ru } from './ru.js';
import type { Lang, ReportText } from './types.js';

export { LAB_FIGURES, LANGUAGES, numberFormat, type ComparisonFinding, type LabFigure, type Lang, type NumberFormat, type ReportText, type SettingsView, type TaskFinding } from './types.js';

const TEXTS: Record<Lang, ReportText> = { en, ru };

/** The report's words in one language. */
export function reportText(lang: Lang): ReportText {
  return TEXTS[lang];
}
