// Defaults shared by the settings reader (config.ts, which needs node fs) and the pure number code
// (metrics, tournament, report); kept here so that the metrics never pull in node fs.

/** The default N grid: 1, 2, 4, …, 2^20. */
export const DEFAULT_N_GRID: readonly number[] = Object.freeze(Array.from({ length: 21 }, (_, i) => 2 ** i));

/** The tournament's N: a rival must beat a checkpoint by a factor 16 on a sample to count. */
export const DEFAULT_SELECTION_N = 16;
