// The one-line verdict, for a run's report and for the comparison across runs: which checkpoint
// is suggested, why, against the lowest-cross-entropy one, and whether the eval set resolves it.
import type { TournamentResult } from '../tournament';

export interface VerdictInput {
  t: TournamentResult;
  /** How a checkpoint reads in the sentence: "step 6000", or "step 6000 of run lr-3e-4". */
  name: (id: string) => string;
  /** A[j, k]: the share of samples on which j out-covers k by a factor selectionN. */
  share: (j: string, k: string) => number;
  checkpoints: number;
  failed: number;
}

/** A share as a percentage that never reads 0.0% when it is not 0. */
function percent(p: number): string {
  return p === 0 || p >= 0.001 ? `${(p * 100).toFixed(1)}%` : `${(p * 100).toPrecision(2)}%`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function tournamentVerdict(v: VerdictInput): string {
  const { t } = v;
  const N = t.selectionN;
  if (!t.suggested || !t.minCrossEntropy) {
    return v.failed > 0 ? `No checkpoint could be scored (${v.failed} failed).` : 'No checkpoints to compare.';
  }
  const standing = (id: string) => t.standings.find((s) => s.id === id)!;
  const sug = standing(t.suggested);
  const figures = `tournament score ${sug.score.toFixed(4)} at N = ${N}, dev ${t.dev.toFixed(4)}`;
  const s = v.name(t.suggested);
  if (v.checkpoints === 1) return `Only one checkpoint (${s}): nothing to compare.`;
  const end = t.resolved ? '.' : '; not resolved by this eval set (runner-up within 2·dev).';
  if (!t.differs) return `${capital(s)} is both the suggested and the lowest-cross-entropy checkpoint (${figures})${end}`;
  const m = v.name(t.minCrossEntropy);
  const head = `Suggested ${s}, not the lowest-cross-entropy ${m}: `;
  const out = v.share(t.suggested, t.minCrossEntropy);
  if (out > 0) return `${head}it out-covers ${m} by a factor ${N} on ${percent(out)} of samples (${figures})${end}`;
  // The suggestion never beats the lowest-CE checkpoint head to head: it wins because its own
  // strongest rival beats it on fewer samples than the lowest-CE checkpoint's rival beats that one.
  const low = standing(t.minCrossEntropy);
  const mine = sug.score === 0 ? 'on any sample' : `on more than ${percent(sug.score)} of samples`;
  const theirs = low.rival === null ? '' : `, while ${v.name(low.rival)} out-covers ${m} on ${percent(low.score)}`;
  return (
    `${head}it does not out-cover ${m} by a factor ${N} on any sample; it is suggested because no checkpoint ` +
    `out-covers it ${mine}${theirs} (${figures})${end}`
  );
}
