// The lab: runs the study, draws its figures and writes the report — what `layerwise lab` does.
export { runLab, type LabOptions, type LabResult } from './lab.js';
export { explore, BANK_SENTENCES, type Exploration } from './explore.js';
export { reportHtml, reportMarkdown, type ReportInput } from './report.js';
