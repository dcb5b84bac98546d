// Several runs compared (issue 15): one coverage tournament over every run's checkpoints
// together — one A matrix, so a checkpoint of one run is measured against the strongest rival of
// any run — and one suggestion across them. That needs one eval set: runs whose eval sets differ
// (by the token-id hash) get no comparison, and the reason names them. Each run keeps its own
// report; this adds the `across` object of `report <run> <run> … --json`.
import { CoverageTournament, type TournamentEntry } from '../tournament';
import { jsonNumber, type CoverageReport, type JsonNumber, type ReportCheckpointInput } from './build';
import { tournamentVerdict } from './verdict';

export interface AcrossRunInput {
  /** The run as the user named it (the folder as given on the command line). */
  run: string;
  /** The eval set's token-id hash (EvalSet.hash): runs compared must share it. */
  evalSetHash: string;
  report: CoverageReport;
  /** The scored checkpoints the report was built from. */
  checkpoints: readonly ReportCheckpointInput[];
  /** The r(i) the report's coverage used (buildReportWithReference); null when it had none. */
  r: Float64Array | null;
}

/** A checkpoint named across runs. */
export interface RunCheckpointRef {
  run: string;
  step: number;
  path: string;
}

export interface AcrossCheckpoint extends RunCheckpointRef {
  /** Per-token CE over the samples every checkpoint of every run scored (the tie-break). */
  cePerToken: JsonNumber;
  /** max over the rivals of all runs of A[rival, this]; 0 for a lone checkpoint. */
  tournamentScore: number | null;
  rivalRun: string | null;
  rivalStep: number | null;
}

export interface AcrossReport {
  selectionN: number;
  dev: number | null;
  resolved: boolean;
  suggested: RunCheckpointRef | null;
  minCrossEntropy: RunCheckpointRef | null;
  verdict: string;
  /** Every scored checkpoint of every run: runs in the order given, each run's in step order. */
  checkpoints: AcrossCheckpoint[];
}

export type AcrossResult = { across: AcrossReport; acrossError: null } | { across: null; acrossError: string };

/** Reference values further apart than this (nats, on any sample) make coverage columns incomparable. */
const SAME_REFERENCE_NATS = 1e-4;

export interface AcrossOptions {
  /**
   * A tournament the caller keeps up to date incrementally (the extension, as scores arrive) over
   * exactly acrossEntries(runs), at the runs' selection N.
   */
  tournament?: CoverageTournament;
}

/** Why these runs cannot be compared (eval sets or selection N differ), or null when they can. */
export function acrossMismatch(runs: readonly AcrossRunInput[]): string | null {
  const names = runs.map((r) => r.run);
  if (new Set(names).size !== names.length) throw new Error(`across: a run is given twice (${names.join(', ')})`);
  const byHash = new Map<string, string[]>();
  for (const r of runs) byHash.set(r.evalSetHash, [...(byHash.get(r.evalSetHash) ?? []), r.run]);
  if (byHash.size > 1) {
    const groups = [...byHash.values()].map(
      (g, i) => `${g.length > 1 ? `runs ${g.join(', ')}` : `run ${g[0]}`}${i === 0 ? ' use one eval set' : ' another'}`,
    );
    return `the eval sets differ (by the hash of their token ids): ${groups.join(', ')}; one tournament across runs needs one eval set, so each run is reported on its own`;
  }
  const selectionN = runs[0]?.report.selectionN ?? Number.NaN;
  if (runs.some((r) => r.report.selectionN !== selectionN)) {
    return `the runs use different selection N (${runs.map((r) => `${r.run}: ${r.report.selectionN}`).join(', ')}); set one for all of them to compare them`;
  }
  return null;
}

/**
 * The tournament's entries: every reported checkpoint of every run. Ids join run and path with a
 * NUL, which neither contains: unique across runs, and ordered by run name, then path, for the
 * tournament's last tie-break.
 */
export function acrossEntries(runs: readonly AcrossRunInput[]): { entries: TournamentEntry[]; where: Map<string, RunCheckpointRef> } {
  const where = new Map<string, RunCheckpointRef>();
  const entries: TournamentEntry[] = [];
  for (const r of runs) {
    const scores = new Map(r.checkpoints.map((c) => [c.path, c.scores]));
    for (const row of r.report.checkpoints) {
      const s = scores.get(row.path);
      if (!s) throw new Error(`across: run ${r.run} has no scores for ${row.path}`);
      const id = acrossId(r.run, row.path);
      where.set(id, { run: r.run, step: row.step, path: row.path });
      entries.push({ id, step: row.step, seqLogprob: s.seqLogprob, tokenCounts: s.tokenCounts });
    }
  }
  return { entries, where };
}

/** A checkpoint's id in the tournament across runs. */
export function acrossId(run: string, path: string): string {
  return `${run}\u0000${path}`;
}

export function buildAcross(runs: readonly AcrossRunInput[], options: AcrossOptions = {}): AcrossResult {
  const names = runs.map((r) => r.run);
  const mismatch = acrossMismatch(runs);
  if (mismatch !== null) return { across: null, acrossError: mismatch };
  const fail = (acrossError: string): AcrossResult => ({ across: null, acrossError });
  const selectionN = runs[0]?.report.selectionN ?? Number.NaN;
  const { entries, where } = acrossEntries(runs);
  const n = runs[0]?.report.evalSamples ?? 0;
  const tournament = options.tournament ?? CoverageTournament.build(n, entries, selectionN);
  const ids = new Set(tournament.ids());
  if (tournament.selectionN !== selectionN || tournament.n !== n || ids.size !== entries.length || entries.some((e) => !ids.has(e.id))) {
    throw new Error(`across: the given tournament does not hold exactly these runs' checkpoints at selectionN = ${selectionN}`);
  }
  const t = tournament.result();
  if (entries.length > 0 && t.samples === 0) {
    return fail(`no eval sample was scored by every checkpoint of ${names.join(', ')}`);
  }
  const ref = (id: string | null) => (id === null ? null : { ...where.get(id)! });
  // In the order the runs were given (a kept tournament holds them in the order they were scored).
  const standing = new Map(t.standings.map((s) => [s.id, s]));
  const checkpoints = entries.map((e): AcrossCheckpoint => {
    const s = standing.get(e.id)!;
    const rival = s.rival === null ? null : where.get(s.rival)!;
    return {
      ...where.get(s.id)!,
      cePerToken: jsonNumber(s.cePerToken),
      tournamentScore: Number.isNaN(s.score) ? null : s.score,
      rivalRun: rival?.run ?? null,
      rivalStep: rival?.step ?? null,
    };
  });
  const verdict = tournamentVerdict({
    t,
    name: (id) => `step ${where.get(id)!.step} of run ${where.get(id)!.run}`,
    share: (j, k) => tournament.share(j, k),
    checkpoints: entries.length,
    failed: runs.reduce((a, r) => a + r.report.failed.length, 0),
  });
  return {
    across: {
      selectionN,
      dev: entries.length > 0 ? t.dev : null,
      resolved: t.resolved,
      suggested: ref(t.suggested),
      minCrossEntropy: ref(t.minCrossEntropy),
      verdict: t.suggested && entries.length > 1 ? `${verdict} ${coverageNote(runs)}` : verdict,
      checkpoints,
    },
    acrossError: null,
  };
}

/**
 * Whether the runs' coverage columns can be read side by side: only when every run measures
 * coverage against the same reference values (the generator's ref_logprob, the point mass, or one
 * reference model). In tournament mode each run's rCov is relative to its own suggestion.
 */
function coverageNote(runs: readonly AcrossRunInput[]): string {
  if (runs.some((r) => r.r === null || r.report.coverageRelativeTo !== null)) {
    return `Each run's rCov columns are relative to that run's own suggestion: compare runs by the tournament scores here, not by Cov_N.`;
  }
  const first = runs[0].r!;
  const same = runs.every(({ r }) =>
    r!.every((v, i) => (Number.isNaN(v) ? Number.isNaN(first[i]) : Math.abs(v - first[i]) <= SAME_REFERENCE_NATS)),
  );
  if (!same)
    return `The runs measure coverage against different reference values: compare runs by the tournament scores here, not by Cov_N.`;
  const labels = [...new Set(runs.map((r) => r.report.referenceLabel))];
  return `Coverage columns are comparable across runs: every run measures them against the same reference values (${labels.join(', ')}).`;
}
