// Defaults shared by the settings reader (config.ts, which needs node fs) and the code that falls
// back on them (metrics, tournament, report, layout scan, score store); kept apart from config.ts
// so that the pure number code never pulls in node fs.

/** The score store's folder, relative to the run root, when coverage.json names none. */
export const DEFAULT_STORE = '.coverage';

/** The default N grid: 1, 2, 4, …, 2^20. */
export const DEFAULT_N_GRID: readonly number[] = Object.freeze(Array.from({ length: 21 }, (_, i) => 2 ** i));

/** Most padded tokens in one batch sent to onnxruntime: memory grows with it. */
export const DEFAULT_TOKEN_BUDGET = 8192;

/** The tournament's N: a rival must beat a checkpoint by a factor 16 on a sample to count. */
export const DEFAULT_SELECTION_N = 16;
