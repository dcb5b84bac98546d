// A run's coverage report from its scored checkpoints: the reference's values (scoring the
// reference model when the run names one), then core's pure buildReport. The CLI builds it once;
// the extension keeps one RunReporter and rebuilds as scores arrive, with the tournament kept
// across builds (a new checkpoint adds one row and one column, not K²).
import { runRelative } from '../core/paths';
import {
  FiguresCache,
  buildReportWithReference,
  type CoverageReport,
  type ReportCheckpointInput,
  type ReportFailure,
} from '../core/report';
import { describeFailure, ScoreError } from '../core/scoreError';
import type { ScoreRecord } from '../core/store';
import { CoverageTournament, type TournamentEntry } from '../core/tournament';
import type { CheckpointEntry } from '../core/types';
import type { ReferenceScores, Run } from './openRun';
import type { EnsureScoredResult } from './runScorer';

/** A checkpoint and its stored scores. */
export interface ScoredCheckpoint {
  entry: CheckpointEntry;
  record: ScoreRecord;
}

export interface BuiltReport {
  report: CoverageReport;
  /** The r(i) the coverage columns used (the inspect view's log-ratios need the same). */
  r: Float64Array | null;
  /** The scored checkpoints it was built from (a comparison across runs needs their scores). */
  checkpoints: ReportCheckpointInput[];
}

export class RunReporter {
  private tournament: CoverageTournament | null = null;
  private reference: ReferenceScores | undefined;
  private last: BuiltReport | null = null;
  /** Each checkpoint's figures, kept while neither its scores nor what all rows share change. */
  private readonly figures = new FiguresCache();

  constructor(private readonly run: Run) {}

  /** The reference model's scores (path, whether they came from the store), once looked up. */
  get referenceModel(): ReferenceScores | undefined {
    return this.reference;
  }

  /** The last report built, if any. */
  get latest(): BuiltReport | null {
    return this.last;
  }

  /** The tournament behind the latest report (the inspect view reads its shares). */
  get currentTournament(): CoverageTournament | null {
    return this.tournament;
  }

  /**
   * The report over exactly `scored` (other checkpoints leave the tournament), listing `failed`
   * as failed. Throws when the reference model cannot be scored.
   */
  async build(scored: readonly ScoredCheckpoint[], failed: readonly ReportFailure[] = []): Promise<BuiltReport> {
    const { config, evalSet } = this.run;
    const n = evalSet.samples.length;
    const t =
      this.tournament && this.tournament.selectionN === config.selectionN
        ? this.tournament
        : CoverageTournament.build(n, [], config.selectionN);
    // A checkpoint scored again (replaced on disk) has a new record: sync replaces its row.
    this.tournament = t;
    await syncInSlices(
      t,
      scored.map(({ entry, record }) => ({
        id: entry.path,
        step: entry.step,
        seqLogprob: record.scores.seqLogprob,
        tokenCounts: record.scores.tokenCounts,
      })),
    );
    const referenceScores = (await this.referenceScores(scored))?.record.scores;
    const checkpoints = scored.map(({ entry, record }) => ({
      step: entry.step,
      path: entry.path,
      scores: record.scores,
      skipped: record.info.skipped,
    }));
    const built = buildReportWithReference({
      checkpoints,
      evalFile: runRelative(this.run.root, evalSet.file) ?? evalSet.file,
      failed,
      reference: typeof this.run.reference === 'object' && this.reference ? { model: this.reference.path } : this.run.reference,
      refLogprobs: evalSet.samples.map((s) => s.refLogprob),
      referenceScores,
      nGrid: config.nGrid,
      selectionN: config.selectionN,
      evalSamples: n,
      tournament: t,
      figuresCache: this.figures,
    });
    this.last = { ...built, checkpoints };
    return this.last;
  }

  /** Looked up (or scored) once; a reference that is one of the scored checkpoints reuses its record. */
  private async referenceScores(scored: readonly ScoredCheckpoint[]): Promise<ReferenceScores | undefined> {
    if (this.reference || typeof this.run.reference !== 'object') return this.reference;
    try {
      this.reference = await this.run.referenceScores((modelPath) => scored.find((s) => s.entry.modelPath === modelPath)?.record);
    } catch (e) {
      const why = e instanceof ScoreError ? describeFailure(e.data) : e instanceof Error ? e.message : String(e);
      throw new Error(`reference model ${why}`);
    }
    return this.reference;
  }
}

/** Longest stretch the tournament's adds hold the event loop before they let other work run. */
const SYNC_SLICE_MS = 15;

/**
 * t.sync(entries), letting the event loop run every SYNC_SLICE_MS: the extension adding a hundred
 * checkpoints at once to a tournament of hundreds held its event loop for a third of a second, and
 * the scoring worker waited that long for its next job.
 */
async function syncInSlices(t: CoverageTournament, entries: readonly TournamentEntry[]): Promise<void> {
  const steps = t.syncSteps(entries);
  for (let until = performance.now() + SYNC_SLICE_MS; !steps.next().done;) {
    if (performance.now() < until) continue;
    await new Promise((resolve) => setImmediate(resolve));
    until = performance.now() + SYNC_SLICE_MS;
  }
}

/** How a report's scores were obtained, for a summary line. */
export interface ScoringSummary {
  checkpoints: number;
  scored: number;
  reused: number;
  failed: ReportFailure[];
  scoringSeconds: number;
  lookupSeconds: number;
}

/** A run's report with what a summary line and a comparison across runs need. */
export interface RunReportResult {
  report: CoverageReport;
  scoring: ScoringSummary;
  referenceModel?: ReferenceScores;
  /** The eval set's token-id hash: runs are compared only on one eval set. */
  evalSetHash: string;
  /** The scored checkpoints the report was built from. */
  checkpoints: ReportCheckpointInput[];
  /** The r(i) its coverage used (null when there was none). */
  r: Float64Array | null;
}

/**
 * The report over a whole ensureScored pass: scored checkpoints are reported, failed ones listed
 * with their reason (worded for a row that already names the checkpoint).
 */
export async function reportOutcomes(run: Run, result: EnsureScoredResult): Promise<RunReportResult> {
  const scored: ScoredCheckpoint[] = [];
  const failed: ReportFailure[] = [];
  for (const o of result.outcomes) {
    if (o.record) scored.push({ entry: o.entry, record: o.record });
    else failed.push({ step: o.entry.step, path: o.entry.path, reason: o.failure ? describeFailure(o.failure.data, 'row') : 'not scored' });
  }
  const reporter = new RunReporter(run);
  const { report, r, checkpoints } = await reporter.build(scored, failed);
  const reused = result.outcomes.filter((o) => o.reused).length;
  const scoring: ScoringSummary = {
    checkpoints: result.outcomes.length,
    scored: scored.length - reused,
    reused,
    failed,
    scoringSeconds: result.scoringSeconds,
    lookupSeconds: result.lookupSeconds,
  };
  const referenceModel = reporter.referenceModel;
  const out: RunReportResult = { report, scoring, evalSetHash: run.evalSet.hash, checkpoints, r };
  if (referenceModel) out.referenceModel = referenceModel;
  return out;
}
