// Several runs' reports and their comparison (across.ts) as JSON, text and CSV: what
// `report <run> <run> …` prints. Pure, like render.ts, whose table and CSV cells it reuses.
import { acrossId, type AcrossReport, type AcrossResult } from './across';
import type { CoverageReport, JsonNumber } from './build';
import { alignedLines, csvTable, formatReportText, joinCsv, type CsvOptions, type CsvSource, type CsvValue } from './render';

/** One run's report, named as the user named the run. */
export interface NamedReport {
  run: string;
  report: CoverageReport;
}

/** `{"runs": [{run, …report}], "across": {…} | null}`, plus `acrossError` when there is no comparison. */
export function formatRunsJson(runs: readonly NamedReport[], a: AcrossResult): string {
  const out = {
    runs: runs.map(({ run, report }) => ({ run, ...report })),
    across: a.across,
    ...(a.acrossError === null ? {} : { acrossError: a.acrossError }),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

const num = (v: JsonNumber, digits: number): string => (v === null ? '—' : v === 'Infinity' ? '∞' : v.toFixed(digits));

/** Each run's table under its name, then the table across runs and its verdict. */
export function formatRunsText(runs: readonly NamedReport[], a: AcrossResult): string {
  const parts = runs.map(({ run, report }) => `== run ${run} ==\n${formatReportText(report)}`);
  const head = `== across ${runs.length} runs ==`;
  if (!a.across) return [...parts, `${head}\nNo comparison across runs: ${a.acrossError}.\n`].join('\n');
  parts.push(`${head}\n${acrossText(a.across)}`);
  return parts.join('\n');
}

function acrossText(a: AcrossReport): string {
  const same = (x: { run: string; path: string } | null, c: { run: string; path: string }) =>
    x !== null && x.run === c.run && x.path === c.path;
  const head = ['run', 'step', 'CE/token', `score@${a.selectionN}`, 'rival', ''];
  const rows = a.checkpoints.map((c) => [
    c.run,
    String(c.step),
    num(c.cePerToken, 4),
    c.tournamentScore === null ? '—' : c.tournamentScore.toFixed(4),
    c.rivalRun === null ? '—' : `${c.rivalRun} ${c.rivalStep}`,
    [same(a.suggested, c) ? '◀ suggested' : '', same(a.minCrossEntropy, c) ? '◀ lowest CE' : ''].filter(Boolean).join(' '),
  ]);
  // Run names are text: left-aligned, unlike the numbers.
  const width = Math.max(3, ...rows.map((r) => r[0].length));
  const lines = alignedLines(head, rows).map((l, i) => (i === 0 ? 'run'.padEnd(width) : rows[i - 1][0].padEnd(width)) + l.slice(width));
  return (
    [
      `selection N = ${a.selectionN}` +
        (a.dev === null ? '' : ` · dev = ${a.dev.toFixed(4)}`) +
        ` · ${a.checkpoints.length} checkpoints in one tournament`,
      ...lines,
      a.verdict,
    ].join('\n') + '\n'
  );
}

/** What the CSV needs of a comparison (the CLI's AcrossReport, or the panel's), runs named as in the `run` column. */
export interface AcrossCsvSource {
  suggested: { run: string; path: string } | null;
  minCrossEntropy: { run: string; path: string } | null;
  checkpoints: readonly { run: string; path: string; tournamentScore: number | null; rivalRun: string | null; rivalStep: number | null }[];
}

/**
 * One CSV: a `run` column, then every run's report columns (the N columns of all runs' grids, so
 * every row has the same columns), then the comparison's: across_score, across_rival_run,
 * across_rival_step, across_suggested, across_lowest_ce (empty when there is no comparison).
 * `o.session`: the extension's columns too, as formatReportCsv adds them.
 */
export function formatRunsCsv(
  runs: readonly { run: string; report: CsvSource }[],
  a: AcrossCsvSource | null,
  o: Pick<CsvOptions, 'session'> = {},
): string {
  const nGrid = [...new Set(runs.flatMap((r) => r.report.nGrid))].sort((x, y) => x - y);
  const passAt = runs.some((r) => r.report.checkpoints.some((c) => c.passAt !== null));
  const across = new Map((a?.checkpoints ?? []).map((c) => [acrossId(c.run, c.path), c]));
  const flag = (x: { run: string; path: string } | null | undefined, run: string, path: string): CsvValue =>
    a ? (x?.run === run && x.path === path ? 1 : 0) : null;
  const out: CsvValue[][] = [];
  for (const { run, report } of runs) {
    const [head, ...rows] = csvTable({ ...report, nGrid }, { passAt, session: o.session });
    if (out.length === 0)
      out.push(['run', ...head, 'across_score', 'across_rival_run', 'across_rival_step', 'across_suggested', 'across_lowest_ce']);
    rows.forEach((row, i) => {
      const { path } = report.checkpoints[i];
      const c = across.get(acrossId(run, path));
      out.push([
        run,
        ...row,
        c?.tournamentScore ?? null,
        c?.rivalRun ?? null,
        c?.rivalStep ?? null,
        flag(a?.suggested, run, path),
        flag(a?.minCrossEntropy, run, path),
      ]);
    });
  }
  return joinCsv(out);
}
