// The lab: runs the study, draws its figures and writes the report — what `layerwise lab` does.
export { runLab, type LabOptions, type LabResult } from './lab.js';
export { explore, BANK_SENTENCES, type Exploration } from './explore.js';
export { reportDocument, reportHtml, reportMarkdown, settingsView, taskFindings, type ReportFigure, type ReportInput, type RunSettings } from './report.js';
export { buildReport, type BuildReportOptions, type BuiltReport, type ReportRun } from './build.js';
export { documentMarkdown, documentPrintHtml, type Block, type ReportDocument, type Section } from './document.js';
export { labFigures, localizeFigure } from './figures.js';
export { printPdf } from './pdf.js';
export { REFERENCES, cite, type Reference } from './bibliography.js';
export { LANGUAGES, reportText, type Lang, type ReportText } from './text/index.js';
export { runComparison, comparisonFindings, type ComparisonOptions, type ComparisonResult, type ComparedModel } from './compare.js';
export { modelFolderName, resolveLabSettings, type LabSettings } from './settings.js';
