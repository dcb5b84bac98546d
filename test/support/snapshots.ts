// Run snapshots for tests of what the panel, tree and status bar show: the one way the tests build
// a RunSnapshot. Every field a test does not name is neutral; `extra` sets the ones it is about.
import type { CheckpointRow, RunSnapshot } from '../../src/shared/protocol';

/** A run's snapshot over `rows`: all plotted, the done ones counted done, nothing scoring. */
export function testRunSnapshot(rows: CheckpointRow[], extra: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    version: 1,
    runName: 'r',
    runPath: '/r',
    reference: 'generator',
    selectionN: 16,
    nGrid: [16],
    dev: null,
    resolved: null,
    verdict: null,
    reportComplete: true,
    suggestedOutcoversMinCe: null,
    warnings: [],
    suggested: null,
    minCrossEntropy: null,
    rows,
    plotIndices: rows.map((_, i) => i),
    progress: {
      done: rows.filter((r) => r.state === 'done').length,
      failed: rows.filter((r) => r.state === 'failed').length,
      elsewhere: 0,
      total: rows.length,
      current: null,
      tokensPerSecond: null,
      provider: 'cpu',
    },
    problems: [],
    error: null,
    awaitingTrust: false,
    ...extra,
  };
}
