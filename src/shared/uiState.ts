// The panel's persisted UI state (the webview's vscode.setState): which runs it shows, so a
// reloaded window reopens them (the host's serializer reads it), and the view's own choices.
// Read here for both sides, field by field; an older version is carried over, not dropped.
import type { RunCheckpointId } from './protocol';

/** A column of the figures table and the direction it is sorted in. */
export interface TableSort {
  key: string;
  descending: boolean;
}

export interface PanelUiState {
  version: 2;
  /** The runs shown, in order, with their colour slots: a reloaded window reopens them as they were. */
  runs: { path: string; colour: number }[];
  xAxis: 'step' | 'tokens';
  xScale: 'linear' | 'log';
  /** Draw 1 − Cov_N ("covered", higher is better) instead of Cov_N. */
  covered: boolean;
  /** The N values whose Cov_N curves are drawn. */
  shownN: number[];
  /** The checkpoint whose inspect view is open, if any. */
  inspecting: RunCheckpointId | null;
  /** The table's order (null: by run, then step) and the run it is narrowed to (null: every run). */
  sort: TableSort | null;
  runFilter: string | null;
}

/** Bump when the shape changes, and carry the old shape over in restoreUiState. */
export const UI_STATE_VERSION = 2;

export const DEFAULT_UI_STATE: PanelUiState = {
  version: UI_STATE_VERSION,
  runs: [],
  xAxis: 'step',
  xScale: 'linear',
  covered: false,
  shownN: [],
  inspecting: null,
  sort: null,
  runFilter: null,
};

/** Accepts a stored state field by field; version 1 (one run, `runPath`) becomes that one run. */
export function restoreUiState(raw: unknown): PanelUiState {
  const s = raw as Record<string, unknown> | null;
  if (!s || typeof s !== 'object' || (s.version !== 1 && s.version !== UI_STATE_VERSION)) return { ...DEFAULT_UI_STATE };
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  let runs: PanelUiState['runs'];
  let inspecting: RunCheckpointId | null;
  if (s.version === 1) {
    const runPath = str(s.runPath);
    runs = runPath ? [{ path: runPath, colour: 0 }] : [];
    inspecting = runPath && str(s.inspecting) ? { run: runPath, path: str(s.inspecting)! } : null;
  } else {
    runs = Array.isArray(s.runs)
      ? s.runs.flatMap((r: unknown) => {
          const x = r as { path?: unknown; colour?: unknown } | null;
          return x && typeof x.path === 'string' && Number.isInteger(x.colour) && (x.colour as number) >= 0
            ? [{ path: x.path, colour: x.colour as number }]
            : [];
        })
      : [];
    const i = s.inspecting as { run?: unknown; path?: unknown } | null;
    inspecting =
      i && typeof i === 'object' && typeof i.run === 'string' && typeof i.path === 'string' ? { run: i.run, path: i.path } : null;
  }
  const sort = s.sort as { key?: unknown; descending?: unknown } | null;
  return {
    version: UI_STATE_VERSION,
    runs,
    xAxis: s.xAxis === 'tokens' ? 'tokens' : 'step',
    xScale: s.xScale === 'log' ? 'log' : 'linear',
    covered: s.covered === true,
    shownN: Array.isArray(s.shownN) ? s.shownN.filter((n): n is number => typeof n === 'number' && n >= 1) : [],
    inspecting,
    sort: sort && typeof sort === 'object' && typeof sort.key === 'string' ? { key: sort.key, descending: sort.descending === true } : null,
    runFilter: str(s.runFilter),
  };
}
