// Shapes what the session knows (checkpoints, their states, the latest report, progress)
// into the RunSnapshot the panel, tree and status bar show. Pure.
import { modelLabel } from '../core/layout';
import { describeFailure } from '../core/scoreError';
import type { CheckpointEntry } from '../core/types';
import type { CheckpointRow, CheckpointState, RunSnapshot, ScoringElsewhere, ScoringProgress } from '../shared/protocol';
import { compact } from '../shared/numberFormat';
import { downsampleIndices } from './downsample';
export { compact };
import type { RunReport } from './engine';
import type { CheckpointStatus } from './scoringLoop';

export interface SnapshotInput {
  version: number;
  runName: string;
  runPath: string;
  entries: readonly CheckpointEntry[];
  states: ReadonlyMap<string, CheckpointStatus>;
  /** Checkpoints other processes are scoring; shown so while this session has not scored them. */
  elsewhere?: ReadonlyMap<string, ScoringElsewhere>;
  report: RunReport | null;
  tokensPerStep: number | null;
  nGrid: readonly number[];
  selectionN: number;
  progress: ScoringProgress;
  problems: readonly string[];
  error: string | null;
  awaitingTrust: boolean;
  maxChartPoints: number;
  /** Checkpoint whose inspect view is open: kept in the charts like the marked ones. */
  inspecting?: string | null;
}

export function buildSnapshot(inp: SnapshotInput): RunSnapshot {
  const figures = new Map((inp.report?.checkpoints ?? []).map((c) => [c.path, c]));
  const failedInReport = new Map((inp.report?.failed ?? []).map((f) => [f.path, f.reason]));
  const entries = [...inp.entries].sort((a, b) => a.step - b.step || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const rows: CheckpointRow[] = entries.map((e) => {
    const f = figures.get(e.path);
    const st = inp.states.get(e.path);
    const reportReason = failedInReport.get(e.path);
    let state: CheckpointState = st?.state ?? (f ? 'done' : 'queued');
    const holder = inp.elsewhere?.get(e.path);
    if (holder && state === 'queued') state = 'elsewhere';
    // The report's failures (e.g. NaN scores found by the metrics) override a finished job.
    if (reportReason !== undefined && (state === 'done' || !st)) state = 'failed';
    const row: CheckpointRow = {
      step: e.step,
      path: e.path,
      state,
      model: modelLabel(e),
      trainTokens: inp.tokensPerStep !== null ? e.step * inp.tokensPerStep : null,
      samples: f?.samples ?? null,
      evalTokens: f?.tokens ?? null,
      cePerToken: f?.cePerToken ?? null,
      cePerSequence: f?.cePerSequence ?? null,
      kl: f?.kl ?? null,
      coverage: f?.coverage ?? {},
      coverageInterval: f?.coverageInterval ?? {},
      passAt: f?.passAt ?? null,
      tournamentScore: f?.tournamentScore ?? null,
      rivalStep: f?.rivalStep ?? null,
    };
    // The row names the checkpoint already: the failure is worded without it.
    const reason = st?.failure ? describeFailure(st.failure, 'row') : reportReason;
    if (state === 'failed' && reason) row.reason = reason;
    if (state === 'elsewhere' && holder) row.elsewhere = holder;
    return row;
  });
  const indexOf = new Map(rows.map((r, i) => [r.path, i]));
  const marked = new Set<number>();
  for (const p of [inp.report?.suggested?.path, inp.report?.minCrossEntropy?.path, inp.inspecting ?? undefined]) {
    const i = p !== undefined ? indexOf.get(p) : undefined;
    if (i !== undefined) marked.add(i);
  }
  const selKey = String(inp.report?.selectionN ?? inp.selectionN);
  const plotIndices = downsampleIndices({
    series: [rows.map((r) => finite(r.cePerToken)), rows.map((r) => r.coverage[selKey] ?? null)],
    count: rows.length,
    marked,
    maxPoints: inp.maxChartPoints,
  });
  return {
    version: inp.version,
    runName: inp.runName,
    runPath: inp.runPath,
    reference: inp.report?.referenceLabel ?? null,
    selectionN: inp.report?.selectionN ?? inp.selectionN,
    nGrid: inp.report?.nGrid ?? [...inp.nGrid],
    dev: inp.report?.dev ?? null,
    resolved: inp.report ? inp.report.resolved : null,
    verdict: inp.report?.verdict ?? null,
    reportComplete: rows.every((r) => r.state !== 'done' || figures.has(r.path)),
    suggestedOutcoversMinCe: inp.report?.suggestedOutcoversMinCe ?? null,
    warnings: inp.report?.warnings ?? [],
    suggested: inp.report?.suggested ?? null,
    minCrossEntropy: inp.report?.minCrossEntropy ?? null,
    rows,
    plotIndices,
    progress: { ...inp.progress, elsewhere: rows.filter((r) => r.state === 'elsewhere').length },
    problems: [...inp.problems],
    error: inp.error,
    awaitingTrust: inp.awaitingTrust,
  };
}

/** "scoring 3/40 · 12k tok/s" for the status bar; null when idle with nothing to say. */
export function progressText(p: ScoringProgress): string | null {
  if (p.total === 0) return null;
  const settled = p.done + p.failed;
  const rate = p.tokensPerSecond !== null && p.current ? ` · ${compact(p.tokensPerSecond)} tok/s` : '';
  const elsewhere = p.elsewhere ? ` · ${p.elsewhere} elsewhere` : '';
  if (p.current) return `scoring ${settled + 1}/${p.total}${rate}${elsewhere}`;
  // Nothing runs here: about to start, or the rest is being scored elsewhere.
  if (settled < p.total) return `${settled}/${p.total} scored${elsewhere}`;
  return p.failed ? `${p.done} scored, ${p.failed} failed` : `${p.done} scored`;
}

function finite(v: number | 'Infinity' | null): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
