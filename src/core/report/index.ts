// The report: every number of `checkpoint-coverage report --json` (build.ts, pure), the
// comparison across runs (across.ts), and their plain-text and CSV renderings (render.ts).
export * from './build';
export * from './across';
export { formatReportText, formatReportCsv, displayNs } from './render';
