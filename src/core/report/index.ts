// The report: every number of `checkpoint-coverage report --json` (build.ts, pure) and its plain-text
// and CSV renderings (render.ts).
export * from './build';
export { formatReportText, formatReportCsv, displayNs } from './render';
