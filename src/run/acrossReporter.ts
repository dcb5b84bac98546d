// The comparison across runs, kept up to date as the runs' scores arrive (the extension's panel
// with several runs). Like RunReporter for one run, it keeps one tournament over every run's
// checkpoints across builds, so a new checkpoint costs one row and one column, not K²; the numbers
// are buildAcross's (core/report/across.ts), the ones `report <run> <run> …` prints.
import { acrossEntries, acrossMismatch, buildAcross, type AcrossResult, type AcrossRunInput } from '../core/report';
import { CoverageTournament } from '../core/tournament';

export class AcrossReporter {
  private tournament: CoverageTournament | null = null;

  /** The tournament behind the last comparison built (the inspect view reads its shares); null after a mismatch. */
  get currentTournament(): CoverageTournament | null {
    return this.tournament;
  }

  /** The comparison over exactly these runs' reported checkpoints. */
  build(runs: readonly AcrossRunInput[]): AcrossResult {
    const mismatch = runs.length > 0 ? acrossMismatch(runs) : null;
    if (runs.length === 0 || mismatch !== null) {
      this.tournament = null;
      return buildAcross(runs);
    }
    const n = runs[0].report.evalSamples;
    const selectionN = runs[0].report.selectionN;
    const kept = this.tournament;
    // Another eval set or selection N makes every count stale: start over.
    const t = kept && kept.n === n && kept.selectionN === selectionN ? kept : new CoverageTournament(n, selectionN);
    t.sync(acrossEntries(runs).entries);
    this.tournament = t;
    return buildAcross(runs, { tournament: t });
  }
}
