// From a run folder to a CoverageReport: settings, scoring of what the store lacks (through
// ensureScored, shared with `score`), the reference's values, then the pure buildReport.
// The result also carries what a comparison across runs needs (report/compare.ts).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chooseReference } from '../../core/runConfig';
import type { ReferenceSetting } from '../../core/metrics';
import { referenceEntry } from '../../core/layout';
import { fsErrorCode, resolveInside } from '../../core/paths';
import { buildReportWithReference, type CoverageReport, type ReportCheckpointInput, type ReportFailure } from '../../core/report';
import type { CheckpointScores } from '../../core/types';
import { checkpointReason } from '../../scoring/failureText';
import { RunScorer } from '../../scoring/runScorer';
import { ensureScored, readRunConfig, type EnsureScoredOptions, type ScoredRun } from '../score';

export interface ReportRunOptions extends Omit<EnsureScoredOptions, 'config'> {
  /** Overrides coverage.json; a model path is absolute here. */
  reference?: ReferenceSetting;
  /** Overrides coverage.json's selectionN. */
  selectionN?: number;
  /** Let coverage.json and --reference name files outside the run (trusted use only). */
  allowOutside?: boolean;
}

export interface ReportRunResult {
  report: CoverageReport;
  /** How the scores were obtained, for the summary line on stderr. */
  scoring: { checkpoints: number; scored: number; reused: number; failed: ReportFailure[]; scoringSeconds: number; lookupSeconds: number };
  /** The reference model's path and whether its scores came from the store (model mode only). */
  referenceModel?: { path: string; reused: boolean };
  /** What a comparison across runs needs (core/report/across.ts): the eval set's token-id hash, */
  evalSetHash: string;
  /** the scored checkpoints the report was built from, */
  checkpoints: ReportCheckpointInput[];
  /** and the r(i) its coverage used (null when there was none). */
  r: Float64Array | null;
}

/** Thrown when the run holds no checkpoint at all: there is nothing to report on. */
export class EmptyRunError extends Error {
  override name = 'EmptyRunError';
}

export async function reportRun(runIn: string, opts: ReportRunOptions = {}): Promise<ReportRunResult> {
  const run = resolve(runIn);
  // Read the settings first, so a bad coverage.json or reference fails before any scoring.
  const config = await readRunConfig(run, opts);
  const spec = opts.reference ?? config.reference;
  if (spec !== undefined && typeof spec !== 'string') await checkReferenceModel(run, spec.model, opts.allowOutside === true);

  const scored = await ensureScored(run, {
    provider: opts.provider, tokenBudget: opts.tokenBudget, progress: opts.progress, settleMs: opts.settleMs, config,
  });
  if (scored.outcomes.length === 0) {
    const pending = scored.layout.pending.length ? ` (${scored.layout.pending.length} still being written)` : '';
    throw new EmptyRunError(`${scored.layout.root}: no checkpoints found${pending}; see README.md for the names a checkpoint may have`);
  }

  const checkpoints: ReportCheckpointInput[] = [];
  const failed: ReportFailure[] = [];
  for (const o of scored.outcomes) {
    if (o.record) checkpoints.push({ step: o.entry.step, path: o.entry.path, scores: o.record.scores });
    // `path` names the checkpoint; the reason does not repeat it (the table prints both).
    else failed.push({ step: o.entry.step, path: o.entry.path, reason: checkpointReason(o.error ?? 'not scored', o.entry) });
  }

  const chosen = spec ?? chooseReference(config, scored.evalSet.samples);
  let referenceScores: CheckpointScores | undefined;
  let referenceModel: ReportRunResult['referenceModel'];
  let reference: ReferenceSetting;
  if (typeof chosen === 'string') reference = chosen;
  else {
    const r = await scoreReferenceModel(scored, chosen.model, opts);
    referenceScores = r.scores;
    referenceModel = { path: r.path, reused: r.reused };
    reference = { model: r.path };
  }

  const { report, r } = buildReportWithReference({
    checkpoints,
    failed,
    reference,
    refLogprobs: reference === 'generator' ? scored.evalSet.samples.map((s) => s.refLogprob) : undefined,
    referenceScores,
    nGrid: config.nGrid,
    selectionN: opts.selectionN ?? config.selectionN,
    evalSamples: scored.evalSet.samples.length,
  });
  const reused = scored.outcomes.filter((o) => o.reused).length;
  return {
    report,
    scoring: {
      checkpoints: scored.outcomes.length,
      scored: scored.outcomes.length - reused - failed.length,
      reused,
      failed,
      scoringSeconds: scored.scoringSeconds,
      lookupSeconds: scored.lookupSeconds,
    },
    referenceModel,
    evalSetHash: scored.evalSet.hash,
    checkpoints,
    r,
  };
}

async function checkReferenceModel(run: string, model: string, allowOutside: boolean): Promise<void> {
  const { abs, inside } = await resolveInside(run, model);
  if (!inside && !allowOutside) {
    throw new Error(`reference model ${abs} is outside the run folder ${run}; pass --allow-outside if you trust it`);
  }
  const st = await stat(abs).catch((e: unknown) => {
    throw new Error(`reference model ${abs}: cannot read (${fsErrorCode(e)})`);
  });
  if (!st.isFile()) throw new Error(`reference model ${abs}: expected an .onnx file`);
}

/**
 * The reference model is scored by the same engine into the same store as a checkpoint, so
 * its scores are reused like theirs; when it is one of the run's checkpoints (the final one,
 * say), that checkpoint's scores are used as they are.
 */
async function scoreReferenceModel(
  scored: ScoredRun, model: string, opts: ReportRunOptions,
): Promise<{ path: string; scores: CheckpointScores; reused: boolean }> {
  const entry = await referenceEntry(scored.layout.root, model);
  const path = entry.path;
  const own = scored.outcomes.find((o) => o.entry.modelPath === entry.modelPath);
  if (own) {
    if (!own.record) throw new Error(`reference model ${path} could not be scored: ${own.error ?? 'unknown error'}`);
    return { path, scores: own.record.scores, reused: true };
  }
  const say = (level: 'info' | 'warning', message: string) => {
    if (level === 'warning') opts.progress?.write(`warning: ${message}\n`);
  };
  const scorer = new RunScorer({
    runRoot: scored.layout.root, evalSet: scored.evalSet, storeDir: scored.config.store, hashCache: scored.hashCache, log: say,
    provider: opts.provider, tokenBudget: opts.tokenBudget,
  });
  try {
    const { outcomes } = await scorer.ensureScored([entry]);
    const o = outcomes[0];
    if (!o.record) throw new Error(`reference model ${o.error ?? `${path}: not scored`}`);
    if (!o.reused) opts.progress?.write(`reference model ${path}: scored on ${o.record.info.provider} in ${o.record.info.seconds.toFixed(1)} s\n`);
    return { path, scores: o.record.scores, reused: o.reused };
  } finally {
    await scorer.dispose();
  }
}
