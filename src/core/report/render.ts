// Plain-text and CSV renderings of a CoverageReport (pure: strings in, strings out).
import type { CoverageReport, JsonNumber, ReportCheckpoint, StepPath } from './build';

/** The few N the text table shows: 2, the selection N, 256 and 4096 where the grid has them. */
export function displayNs(nGrid: readonly number[], selectionN: number): number[] {
  const want = [2, selectionN, 256, 4096].filter((N) => nGrid.includes(N));
  const picks = new Set(want);
  // A custom grid may hold none of those: fall back to evenly spaced grid points.
  for (let j = 0; picks.size < Math.min(4, nGrid.length) && j < 4; j++) {
    picks.add(nGrid[Math.round((j * (nGrid.length - 1)) / 3)]);
  }
  return [...picks].sort((a, b) => a - b);
}

const num = (v: JsonNumber | undefined, digits: number): string =>
  v === null || v === undefined ? '—' : v === 'Infinity' ? '∞' : v.toFixed(digits);

function marker(r: CoverageReport, c: ReportCheckpoint): string {
  const m: string[] = [];
  if (r.suggested?.path === c.path) m.push('◀ suggested');
  if (r.minCrossEntropy?.path === c.path) m.push('◀ lowest CE');
  return m.join(' ');
}

/** Columns right-aligned to their widest cell, two spaces apart; the last (markers) left as is. */
export function alignedLines(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, j) => (j === cells.length - 1 ? cell : cell.padStart(widths[j])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** A readable table plus the one-line verdict, for terminals. */
export function formatReportText(r: CoverageReport): string {
  const Ns = displayNs(r.nGrid, r.selectionN);
  const covLabel = r.coverageRelativeTo ? 'rCov' : 'Cov';
  const head = ['step', 'tokens', 'CE/token', ...Ns.map((N) => `${covLabel}@${N}`), `score@${r.selectionN}`, 'rival', ''];
  const rows = r.checkpoints.map((c) => [
    String(c.step),
    String(c.tokens),
    num(c.cePerToken, 4),
    ...Ns.map((N) => num(c.coverage[String(N)], 4)),
    num(c.tournamentScore, 4),
    c.rivalStep === null ? '—' : String(c.rivalStep),
    marker(r, c),
  ]);
  const out: string[] = [];
  out.push(
    `reference: ${r.referenceLabel}` +
      (r.coverageRelativeTo ? ` (rCov = coverage relative to step ${r.coverageRelativeTo.step})` : '') +
      ` · samples: ${r.checkpoints[0]?.samples ?? 0} of ${r.evalSamples} · selection N = ${r.selectionN}` +
      (r.dev === null ? '' : ` · dev = ${r.dev.toFixed(4)}`),
  );
  out.push(
    `Cov@N = share of samples the checkpoint under-weights by a factor ≥ N (lower is better); score: the same against its best rival.`,
  );
  out.push(...alignedLines(head, rows));
  for (const f of r.failed) out.push(`failed: step ${f.step} ${f.path}: ${f.reason}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(r.verdict);
  return out.join('\n') + '\n';
}

/**
 * RFC 4180 quoting. A text cell starting with =, +, -, @ or a control character gets a leading
 * apostrophe so a spreadsheet shows it instead of running it as a formula: paths come from the
 * data, and `report --csv` and the extension's export both write them.
 */
function csvCell(v: CsvValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV row's figures: a report row, or the extension's row for a checkpoint not scored yet. */
export type CsvCheckpoint = Pick<
  ReportCheckpoint,
  'step' | 'path' | 'cePerToken' | 'cePerSequence' | 'kl' | 'coverage' | 'coverageInterval' | 'passAt' | 'tournamentScore' | 'rivalStep'
> & {
  samples: number | null;
  tokens: number | null;
  /** The extension's columns (CsvOptions.session). */
  state?: string;
  trainTokens?: number | null;
  reason?: string;
};

/** What the CSV needs of a report; the extension's snapshot gives the same with its own rows. */
export interface CsvSource {
  nGrid: readonly number[];
  referenceLabel: string | null;
  suggested: StepPath | null;
  minCrossEntropy: StepPath | null;
  checkpoints: readonly CsvCheckpoint[];
}

export interface CsvOptions {
  /** Add the extension's columns: state and train_tokens after the path, reason last. */
  session?: boolean;
  /** Pass@N columns; default: when some row has Pass@N (several runs share one choice). */
  passAt?: boolean;
}

export type CsvValue = string | number | null;

/** Bits per token from nats: the same division crossEntropy makes, so it equals the report's ceBitsPerToken. */
const bits = (v: JsonNumber): JsonNumber => (typeof v === 'number' ? v / Math.LN2 : v);

/** One row per checkpoint with every number of the report; failures are not rows of the report. */
export function formatReportCsv(r: CsvSource, o: CsvOptions = {}): string {
  return joinCsv(csvTable(r, o));
}

/** The CSV lines, RFC 4180 quoted. */
export function joinCsv(table: readonly (readonly CsvValue[])[]): string {
  return table.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** The header, then one row per checkpoint (formatReportCsv's cells, before quoting). */
export function csvTable(r: CsvSource, o: CsvOptions = {}): CsvValue[][] {
  const hasPass = o.passAt ?? r.checkpoints.some((c) => c.passAt !== null);
  const session = o.session === true;
  const head = [
    'step',
    'path',
    ...(session ? ['state', 'train_tokens'] : []),
    'samples',
    'tokens',
    'ce_per_token',
    'ce_bits_per_token',
    'ce_per_sequence',
    'kl',
    ...r.nGrid.flatMap((N) => [`cov_${N}`, `cov_${N}_lo`, `cov_${N}_hi`]),
    ...(hasPass ? r.nGrid.map((N) => `pass_at_${N}`) : []),
    'tournament_score',
    'rival_step',
    'suggested',
    'lowest_ce',
    'reference',
    ...(session ? ['reason'] : []),
  ];
  const rows = r.checkpoints.map((c) => {
    const cov = r.nGrid.flatMap((N) => {
      const k = String(N);
      const iv = c.coverageInterval[k];
      return [c.coverage[k] ?? null, iv?.[0] ?? null, iv?.[1] ?? null];
    });
    return [
      c.step,
      c.path,
      ...(session ? [c.state ?? null, c.trainTokens ?? null] : []),
      c.samples,
      c.tokens,
      c.cePerToken,
      bits(c.cePerToken),
      c.cePerSequence,
      c.kl,
      ...cov,
      ...(hasPass ? r.nGrid.map((N) => c.passAt?.[String(N)] ?? null) : []),
      c.tournamentScore,
      c.rivalStep,
      r.suggested?.path === c.path ? 1 : 0,
      r.minCrossEntropy?.path === c.path ? 1 : 0,
      r.referenceLabel,
      ...(session ? [c.reason ?? null] : []),
    ];
  });
  return [head, ...rows];
}
