// Builds the inspect view of one checkpoint from numbers the core computes (the report's
// coverage rows, the tournament's shares, the log-ratio histogram and ranking) plus its stored
// per-sample scores.
// Pure, no vscode: what the panel shows is tested without a webview.
import { histogram, sampleLogRatios, worstCovered } from '../core/logRatioView';
import type { CoverageReport } from '../core/report';
import type { CheckpointScores, EvalSample } from '../core/types';
import type { CheckpointInspect, ProfileSeries, WorstSample } from '../shared/protocol';

export interface InspectInput {
  report: CoverageReport;
  path: string;
  /** How the checkpoint is stored (modelLabel). */
  model: string;
  scores: CheckpointScores;
  /** r(i) per sample, or null when the reference gives none (tournament mode). */
  r: Float64Array | null;
  samples: readonly EvalSample[];
  /** A[j, this]: the share of samples rival j out-covers this checkpoint on, for each rival. */
  rivalShares: { step: number; path: string; share: number }[] | null;
  /** Token text for the heat strip, when a tokenizer is known. */
  tokenText?: (id: number) => string | undefined;
  worstCount?: number;
  bins?: number;
}

export function buildInspectData(inp: InspectInput): CheckpointInspect {
  const { report, path } = inp;
  const row = report.checkpoints.find((c) => c.path === path);
  const notes: string[] = [];
  const profiles: ProfileSeries[] = [];
  const roles: [ProfileSeries['role'], string | undefined][] = [
    ['this', path],
    ['suggested', report.suggested?.path],
    ['minCrossEntropy', report.minCrossEntropy?.path],
  ];
  const seen = new Set<string>();
  for (const [role, p] of roles) {
    const series = p !== undefined && !seen.has(p) ? profileSeries(report, p, role) : null;
    if (!series) continue;
    seen.add(p!);
    profiles.push(series);
  }
  if (!row) notes.push('This checkpoint has no figures yet: it is not scored, or its scoring failed.');
  if (report.coverageRelativeTo)
    notes.push(
      `Reference 'tournament': log-ratios and coverage are relative to the suggested checkpoint (step ${report.coverageRelativeTo.step}).`,
    );

  const L = inp.r ? sampleLogRatios(inp.r, inp.scores.seqLogprob) : [];
  if (!inp.r) notes.push('No reference log-probabilities: the log-ratio distribution needs one.');

  const finite = L.filter((x) => Number.isFinite(x.l)).map((x) => x.l);
  const infinite = L.length - finite.length;
  const logRatios = L.length > 0 ? { ...histogram(finite, inp.bins ?? 30), infinite, samples: L.length } : null;

  const worst: WorstSample[] = worstCovered(L, inp.worstCount ?? 8).map(({ i, l }) => worstSample(inp, i, l));

  const tournament = row
    ? {
        score: row.tournamentScore,
        rivalStep: row.rivalStep,
        rivals: [...(inp.rivalShares ?? [])].sort((a, b) => b.share - a.share || a.step - b.step),
      }
    : null;
  return {
    step: row?.step ?? stepOf(report, path),
    path,
    model: inp.model,
    reference: report.referenceLabel,
    selectionN: report.selectionN,
    profiles,
    logRatios,
    tournament,
    worst,
    passAt: row?.passAt ?? null,
    byLength: row?.byLength ?? null,
    notes,
  };
}

/** A reported checkpoint's coverage profile with its Wilson band; null when the report lacks it. */
export function profileSeries(report: CoverageReport, path: string, role: ProfileSeries['role']): ProfileSeries | null {
  const c = report.checkpoints.find((x) => x.path === path);
  if (!c) return null;
  const points = report.nGrid
    .filter((n) => c.coverage[String(n)] !== undefined)
    .map((n) => ({
      n,
      cov: c.coverage[String(n)],
      lo: c.coverageInterval[String(n)]?.[0] ?? NaN,
      hi: c.coverageInterval[String(n)]?.[1] ?? NaN,
    }));
  return { role, step: c.step, path: c.path, points };
}

function worstSample(inp: InspectInput, i: number, l: number): WorstSample {
  const sample = inp.samples[i];
  const { tokenOffsets, tokenLogprobs } = inp.scores;
  const ids = sample?.responseIds ?? new Int32Array(0);
  const tokens: WorstSample['tokens'] = [];
  for (let t = tokenOffsets[i], k = 0; t < tokenOffsets[i + 1]; t++, k++) {
    const id = ids[k];
    const text = id === undefined ? `#${k}` : (inp.tokenText?.(id) ?? `[${id}]`);
    tokens.push({ text, logprob: tokenLogprobs[t] });
  }
  return {
    line: sample?.line ?? i + 1,
    id: sample?.id ?? null,
    logRatio: l === Infinity ? 'Infinity' : l,
    seqLogprob: inp.scores.seqLogprob[i],
    prompt: sample?.prompt ?? null,
    tokens,
  };
}

function stepOf(report: CoverageReport, path: string): number {
  return report.failed.find((f) => f.path === path)?.step ?? NaN;
}
