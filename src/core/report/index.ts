// The report: every number of `checkpoint-coverage report --json` (build.ts, pure), the
// comparison across runs (across.ts), and their plain-text, CSV and JSON renderings (render.ts
// for one run, renderRuns.ts for several).
export * from './build';
export { FiguresCache } from './figuresCache';
export * from './across';
export { formatReportText, formatReportCsv, displayNs, type CsvSource } from './render';
export { formatRunsCsv, formatRunsJson, formatRunsText, type AcrossCsvSource, type NamedReport } from './renderRuns';
