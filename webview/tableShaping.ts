// Pure shaping of the figures table: its columns, and its rows filtered to a run and sorted by a
// column. With several runs the table gains a run column, and its score, rival and marks are the
// comparison's (the tournament over every run's checkpoints). No DOM here.
import type { AcrossSnapshot, CheckpointRow, PanelRun, PanelSnapshot } from '../src/shared/protocol';
import { fmt } from '../src/shared/numberFormat';
import { stateText } from '../src/shared/stateText';
import type { PanelUiState } from '../src/shared/uiState';
import { marks, selectionN } from './shaping';

/** One line of the table: a checkpoint of a run, and its standing in the comparison (several runs). */
export interface TableRow {
  run: PanelRun;
  row: CheckpointRow;
  across: AcrossSnapshot['checkpoints'][number] | null;
}

type SortValue = number | string | null;

export interface TableColumn {
  key: string;
  label: string;
  cell: (r: TableRow) => string;
  /** Secondary text shown small under the cell (a coverage value's interval), so the table stays narrow. */
  note?: (r: TableRow) => string | null;
  /** What the column sorts by (null and NaN last); the cell's text when absent. */
  sort?: (r: TableRow) => SortValue;
}

const num = (v: number | 'Infinity' | null | undefined): SortValue => (v === 'Infinity' ? Infinity : (v ?? null));

export function tableColumns(snap: PanelSnapshot, ns: number[]): TableColumn[] {
  const several = snap.runs.length > 1;
  const label = new Map(snap.runs.map((r) => [r.runPath, r.label]));
  const m = marks(snap);
  const is = (ref: { run: string; path: string } | null, r: TableRow) => !!ref && ref.run === r.run.runPath && ref.path === r.row.path;
  // One run: its own tournament; several: the one across runs.
  const score = (r: TableRow) => (several ? (r.across?.tournamentScore ?? null) : r.row.tournamentScore);
  const rival = (r: TableRow): string => {
    if (!several) return r.row.rivalStep === null ? '—' : String(r.row.rivalStep);
    const a = r.across;
    return a?.rivalRun && a.rivalStep !== null ? `${label.get(a.rivalRun) ?? a.rivalRun} · ${a.rivalStep}` : '—';
  };
  return [
    ...(several ? [{ key: 'run', label: 'run', cell: (r: TableRow) => r.run.label, sort: (r: TableRow) => snap.runs.indexOf(r.run) }] : []),
    { key: 'step', label: 'step', cell: (r) => String(r.row.step), sort: (r) => r.row.step },
    {
      key: 'tokens',
      label: 'train tokens',
      cell: (r) => (r.row.trainTokens === null ? '—' : fmt(r.row.trainTokens, 4)),
      sort: (r) => r.row.trainTokens,
    },
    { key: 'state', label: 'state', cell: (r) => stateText(r.row) },
    { key: 'ce', label: 'CE/token (nats)', cell: (r) => fmt(r.row.cePerToken, 5), sort: (r) => num(r.row.cePerToken) },
    { key: 'kl', label: 'KL', cell: (r) => fmt(r.row.kl, 4), sort: (r) => num(r.row.kl) },
    ...ns.map((n): TableColumn => ({
      key: `cov${n}`,
      label: `Cov_${n}`,
      cell: (r) => fmt(r.row.coverage[String(n)], 3),
      note: (r) => covInterval(r.row, n),
      sort: (r) => r.row.coverage[String(n)] ?? null,
    })),
    { key: 'score', label: `score (N=${selectionN(snap)})`, cell: (r) => fmt(score(r), 4), sort: score },
    { key: 'rival', label: several ? 'rival (run · step)' : 'rival', cell: rival },
    {
      key: 'mark',
      label: '',
      cell: (r) => [is(m.suggested, r) ? '★ suggested' : '', is(m.minCrossEntropy, r) ? '▼ lowest CE' : ''].filter(Boolean).join(' '),
    },
  ];
}

/**
 * The table's lines: every checkpoint of every run (of the one run `ui.runFilter` names, when it
 * is open), by run then step, or sorted by `ui.sort`'s column with that order breaking ties.
 */
export function tableRows(snap: PanelSnapshot, cols: readonly TableColumn[], ui: Pick<PanelUiState, 'sort' | 'runFilter'>): TableRow[] {
  const standing = new Map((snap.across?.checkpoints ?? []).map((c) => [`${c.run}\u0000${c.path}`, c]));
  const filter = ui.runFilter !== null && snap.runs.some((r) => r.runPath === ui.runFilter) ? ui.runFilter : null;
  const rows = snap.runs
    .filter((run) => filter === null || run.runPath === filter)
    .flatMap((run) => run.rows.map((row): TableRow => ({ run, row, across: standing.get(`${run.runPath}\u0000${row.path}`) ?? null })));
  const col = ui.sort ? cols.find((c) => c.key === ui.sort!.key) : undefined;
  if (!col) return rows;
  const value = col.sort ?? col.cell;
  const sign = ui.sort!.descending ? -1 : 1;
  const keyed = rows.map((r, i) => ({ r, i, v: value(r) }));
  keyed.sort((a, b) => compareValues(a.v, b.v, sign) || a.i - b.i);
  return keyed.map((k) => k.r);
}

/** Ascending by `sign` 1, descending by −1; missing values (null, NaN) last either way. */
function compareValues(a: SortValue, b: SortValue, sign: number): number {
  const missing = (v: SortValue) => v === null || (typeof v === 'number' && Number.isNaN(v));
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return sign * (a === b ? 0 : a < b ? -1 : 1);
  return sign * String(a).localeCompare(String(b));
}

/** The next sort after a click on a column's header: ascending, then descending, then the table's own order. */
export function nextSort(current: PanelUiState['sort'], key: string): PanelUiState['sort'] {
  if (current?.key !== key) return { key, descending: false };
  return current.descending ? null : { key, descending: true };
}

/** The 95% Wilson interval of a coverage cell, or null when there is none. */
function covInterval(r: CheckpointRow, n: number): string | null {
  const ci = r.coverage[String(n)] === undefined ? undefined : r.coverageInterval[String(n)];
  return ci ? `[${fmt(ci[0], 2)}, ${fmt(ci[1], 2)}]` : null;
}
