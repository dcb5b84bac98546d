// The report model: every number of `checkpoint-coverage report --json`, built
// from scored checkpoints. Pure; the CLI and the extension format or send it as they need.
import type { CheckpointScores } from '../types';
import {
  lengthQuartiles,
  commonSamples,
  referencedSamples,
  resolveReference,
  smallSampleWarning,
  validateNGrid,
  type CheckpointMetrics,
  type LengthQuartileMetrics,
  type ReferenceSetting,
} from '../metrics';
import { CoverageTournament, type TournamentResult } from '../tournament';
import { DEFAULT_N_GRID, DEFAULT_SELECTION_N } from '../defaults';
import { tournamentVerdict } from './verdict';
import { sampleName } from '../evalset/sampleName';
import { FiguresCache, type SharedInputs } from './figuresCache';

export interface StepPath {
  step: number;
  path: string;
}

export interface ReportFailure extends StepPath {
  reason: string;
}

export interface ReportCheckpointInput extends StepPath {
  scores: CheckpointScores;
  /** The samples it skipped and why (the store's record info), to name them in a warning. */
  skipped?: readonly { line: number; id?: string; reason: string }[];
}

export interface ReportInput {
  checkpoints: readonly ReportCheckpointInput[];
  failed?: readonly ReportFailure[];
  reference: ReferenceSetting;
  /** Generator mode: each eval sample's ref_logprob (undefined where the line has none). */
  refLogprobs?: ArrayLike<number | undefined>;
  /** Model mode: the reference model's scores. */
  referenceScores?: CheckpointScores;
  nGrid?: readonly number[];
  selectionN?: number;
  /** Eval samples in the set (needed when no checkpoint was scored). */
  evalSamples?: number;
  /** A tournament the caller keeps up to date incrementally over exactly these checkpoints. */
  tournament?: CoverageTournament;
  /** The eval file as users see it (run-relative), to name skipped samples. */
  evalFile?: string;
  /** Checkpoints' figures kept from the caller's previous build (figuresCache.ts); without it all are computed. */
  figuresCache?: FiguresCache;
}

/** A number that JSON can carry: +∞ becomes the string "Infinity", NaN becomes null. */
export type JsonNumber = number | 'Infinity' | null;

export interface ReportCheckpoint extends StepPath {
  samples: number;
  tokens: number;
  cePerToken: JsonNumber;
  ceBitsPerToken: JsonNumber;
  cePerSequence: JsonNumber;
  /** Mean of L when the reference gives densities ("Infinity" if a sample has probability 0), else null. */
  kl: JsonNumber;
  /** Cov_N keyed by String(N); relative to the suggested checkpoint in tournament mode. */
  coverage: Record<string, number>;
  coverageInterval: Record<string, [number, number]>;
  /** Mean Pass@N, point-mass reference only. */
  passAt: Record<string, number> | null;
  passAtInterval: Record<string, [number, number]> | null;
  /** max over rivals of A[rival, k] at selectionN; 0 for a lone checkpoint. */
  tournamentScore: number | null;
  rivalStep: number | null;
  rivalPath: string | null;
  /** The same figures by response-length quartile (metrics/byLength.ts), shortest first. */
  byLength: LengthQuartile[];
}

/** One response-length quartile of a checkpoint's figures. */
export interface LengthQuartile {
  quartile: number;
  minTokens: number | null;
  maxTokens: number | null;
  samples: number;
  cePerToken: JsonNumber;
  /** Cov_N keyed by String(N), over the quartile's samples (empty without a reference). */
  coverage: Record<string, number>;
}

export interface CoverageReport {
  reference: ReferenceSetting;
  referenceLabel: string;
  /** Tournament mode only: the checkpoint the coverage columns are measured against. */
  coverageRelativeTo: StepPath | null;
  selectionN: number;
  dev: number | null;
  /** False when the two best tournament scores are within 2·dev. */
  resolved: boolean;
  suggested: StepPath | null;
  minCrossEntropy: StepPath | null;
  /** Whether suggested and minCrossEntropy differ: the finding the user came for. */
  differs: boolean;
  /** A[suggested, minCrossEntropy]: the share of samples on which the suggestion out-covers the lowest-CE one. */
  suggestedOutcoversMinCe: number | null;
  evalSamples: number;
  /** Samples scored by every checkpoint: the tournament's denominator. */
  tournamentSamples: number;
  nGrid: number[];
  checkpoints: ReportCheckpoint[];
  failed: ReportFailure[];
  warnings: string[];
  verdict: string;
}

export function jsonNumber(v: number): JsonNumber {
  if (Number.isNaN(v)) return null;
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return null; // no metric here can be −∞; keep JSON valid regardless
  return v;
}

export function buildReport(input: ReportInput): CoverageReport {
  return buildReportWithReference(input).report;
}

/**
 * The report and the r(i) its coverage used: the reference's values, or the suggested
 * checkpoint's scores in tournament mode (null when there is neither). The inspect view takes
 * its log-ratios from this r, so they cannot drift from the report's coverage columns.
 */
export function buildReportWithReference(input: ReportInput): { report: CoverageReport; r: Float64Array | null } {
  const nGrid = validateNGrid(input.nGrid ?? DEFAULT_N_GRID);
  const selectionN = input.selectionN ?? DEFAULT_SELECTION_N;
  const cps = [...input.checkpoints].sort((a, b) => a.step - b.step || (a.path < b.path ? -1 : 1));
  const n = input.evalSamples ?? cps[0]?.scores.seqLogprob.length ?? input.refLogprobs?.length ?? 0;
  for (const c of cps) {
    if (c.scores.seqLogprob.length !== n) {
      throw new Error(`report: checkpoint ${c.path} has scores for ${c.scores.seqLogprob.length} samples, the eval set has ${n}`);
    }
  }
  const ref = resolveReference(input.reference, { n, refLogprobs: input.refLogprobs, referenceScores: input.referenceScores });
  const warnings: string[] = [];

  const tournament = input.tournament ?? CoverageTournament.build(n, cps.map(toEntry), selectionN);
  checkTournament(tournament, cps, selectionN);
  const t = tournament.result();
  const byPath = new Map(cps.map((c) => [c.path, c]));
  const stepPath = (id: string | null): StepPath | null => (id === null ? null : { step: byPath.get(id)!.step, path: id });
  const suggested = stepPath(t.suggested);

  // Tournament mode has no r: the columns then show coverage relative to the suggested checkpoint.
  const r = ref.r ?? (t.suggested ? byPath.get(t.suggested)!.scores.seqLogprob : null);
  const set = commonSamples(n, [...cps.map((c) => c.scores.seqLogprob), r]);
  if (cps.length > 0 && set.length === 0) {
    throw new Error(`report: no eval sample was scored by every checkpoint${ref.r ? ` and has a ${ref.label} reference value` : ''}`);
  }
  const skippedByCheckpoints = n - t.samples;
  if (cps.length > 0 && skippedByCheckpoints > 0) {
    warnings.push(
      `${skippedByCheckpoints} of ${n} samples were skipped by some checkpoint and are left out for all of them${skippedNames(cps, input.evalFile ?? 'eval')}`,
    );
  }
  if (ref.unusable) warnings.push(`${ref.unusable.count} of ${n} samples left out of coverage: ${ref.unusable.why}`);
  // Coverage's own denominator: the metrics leave out a sample whose r is −∞, which in
  // tournament mode is one the suggested checkpoint gives probability 0.
  const covered = r ? referencedSamples(r, set).length : set.length;
  if (!ref.r && covered < set.length) {
    warnings.push(`${set.length - covered} of ${n} samples left out of coverage: the suggested checkpoint gives them probability 0`);
  }
  if (!ref.r && suggested) {
    warnings.push(
      `reference 'tournament': coverage columns are relative to the suggested checkpoint (step ${suggested.step}), not to the data`,
    );
  }
  const selWarn = cps.length > 1 ? smallSampleWarning(t.samples, selectionN) : null;
  if (selWarn) warnings.push(`selection: ${selWarn}`);
  const firstThin = nGrid.find((N) => smallSampleWarning(covered, N) !== null);
  if (cps.length > 0 && firstThin !== undefined) {
    warnings.push(
      `Cov_N for N ≥ ${firstThin} rests on fewer than 10 expected samples at the 1/N level (n = ${covered}); read those columns as bounds`,
    );
  }
  if (cps.length > 1 && !t.resolved) {
    warnings.push(`the two best tournament scores are within 2·dev = ${(2 * t.dev).toFixed(4)}: not resolved by this eval set`);
  }

  const standing = new Map(t.standings.map((s) => [s.id, s]));
  // One eval set, so every checkpoint has the same response lengths: the quartiles are shared.
  const quartiles = cps.length > 0 ? lengthQuartiles(cps[0].scores.tokenCounts, set) : [];
  const shared: SharedInputs = { r, set, quartiles, nGrid, densities: ref.densities, pointMass: input.reference === 'point-mass' };
  const cache = input.figuresCache ?? new FiguresCache();
  cache.prune(new Set(byPath.keys()));
  const checkpoints = cps.map((c) => {
    const f = cache.figures(c.path, c.scores, shared);
    return toRow(c, f.metrics, standing.get(c.path)!, byPath, f.byLength);
  });
  const minCrossEntropy = stepPath(t.minCrossEntropy);
  const outcovers = t.suggested && t.minCrossEntropy && t.differs ? tournament.share(t.suggested, t.minCrossEntropy) : null;
  const report: CoverageReport = {
    reference: input.reference,
    referenceLabel: ref.label,
    coverageRelativeTo: ref.r ? null : suggested,
    selectionN,
    dev: cps.length > 0 ? t.dev : null,
    resolved: t.resolved,
    suggested,
    minCrossEntropy,
    differs: t.differs,
    suggestedOutcoversMinCe: outcovers,
    evalSamples: n,
    tournamentSamples: t.samples,
    nGrid,
    checkpoints,
    failed: [...(input.failed ?? [])],
    warnings,
    verdict: '',
  };
  report.verdict = tournamentVerdict({
    t,
    name: (id) => `step ${byPath.get(id)!.step}`,
    share: (j, k) => tournament.share(j, k),
    checkpoints: checkpoints.length,
    failed: report.failed.length,
  });
  return { report, r };
}

/**
 * `: <sample> <reason> (by <checkpoint>)` for the first few samples the checkpoints skipped, each
 * named once with the first checkpoint's reason; empty when the inputs carry no reasons.
 */
function skippedNames(cps: readonly ReportCheckpointInput[], evalFile: string, most = 3): string {
  const bySample = new Map<number, { name: string; reason: string; by: string[] }>();
  for (const c of cps) {
    for (const k of c.skipped ?? []) {
      const seen = bySample.get(k.line);
      if (seen) seen.by.push(c.path);
      else bySample.set(k.line, { name: sampleName(evalFile, k), reason: k.reason, by: [c.path] });
    }
  }
  if (bySample.size === 0) return '';
  const shown = [...bySample.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, most)
    .map(([, k]) => `${k.name} ${k.reason} (${k.by.length === 1 ? `by ${k.by[0]}` : `by ${k.by.length} checkpoints`})`);
  return `: ${shown.join('; ')}${bySample.size > most ? `; and ${bySample.size - most} more` : ''}`;
}

function toEntry(c: ReportCheckpointInput) {
  return { id: c.path, step: c.step, seqLogprob: c.scores.seqLogprob, tokenCounts: c.scores.tokenCounts };
}

function checkTournament(t: CoverageTournament, cps: readonly ReportCheckpointInput[], selectionN: number): void {
  const ids = new Set(t.ids());
  if (t.selectionN !== selectionN || ids.size !== cps.length || cps.some((c) => !ids.has(c.path))) {
    throw new Error(`report: the given tournament does not hold exactly these checkpoints at selectionN = ${selectionN}`);
  }
}

function toRow(
  c: ReportCheckpointInput,
  m: CheckpointMetrics,
  s: TournamentResult['standings'][number],
  byPath: Map<string, ReportCheckpointInput>,
  byLength: LengthQuartileMetrics[],
): ReportCheckpoint {
  return {
    step: c.step,
    path: c.path,
    samples: m.samples,
    tokens: m.tokens,
    cePerToken: jsonNumber(m.ce.perToken),
    ceBitsPerToken: jsonNumber(m.ce.bitsPerToken),
    cePerSequence: jsonNumber(m.ce.perSequence),
    kl: m.kl === null ? null : jsonNumber(m.kl),
    coverage: keyed(m.coverage, (p) => p.coverage) ?? {},
    coverageInterval: keyed(m.coverage, (p) => p.interval) ?? {},
    passAt: keyed(m.passAt, (p) => p.passAt),
    passAtInterval: keyed(m.passAt, (p) => p.interval),
    tournamentScore: Number.isNaN(s.score) ? null : s.score,
    rivalStep: s.rival === null ? null : byPath.get(s.rival)!.step,
    rivalPath: s.rival,
    byLength: byLength.map((q) => ({
      quartile: q.quartile,
      minTokens: q.minTokens,
      maxTokens: q.maxTokens,
      samples: q.samples,
      cePerToken: jsonNumber(q.cePerToken),
      coverage: keyed(q.coverage, (p) => p.coverage) ?? {},
    })),
  };
}

/** Values keyed by String(N), the JSON shape of the N grid. */
function keyed<P extends { N: number }, T>(pts: P[] | null, f: (p: P) => T): Record<string, T> | null {
  return pts ? Object.fromEntries(pts.map((p) => [String(p.N), f(p)])) : null;
}
