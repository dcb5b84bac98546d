// The inspect view of one run's checkpoint while the panel compares several runs: the run's own
// figures (log-ratios, worst samples, by length) stay; the checkpoints it is measured against
// become the comparison's: the profiles of the suggestion and the lowest-CE checkpoint across
// runs, and the tournament row over every run's checkpoints. Pure, no vscode.
import { acrossId, type AcrossReport, type CoverageReport } from '../core/report';
import type { CoverageTournament } from '../core/tournament';
import type { InspectData, ProfileSeries } from '../shared/protocol';
import { profileSeries } from './inspectData';

export interface AcrossInspectInput {
  /** The run's own inspect data (its label as runName). */
  own: InspectData;
  /** The comparison, runs named by label. */
  across: AcrossReport;
  /** The tournament behind it (ids: acrossId(label, path)). */
  tournament: CoverageTournament;
  /** Each compared run's report, by label. */
  reports: ReadonlyMap<string, CoverageReport>;
}

export function inspectAcross(inp: AcrossInspectInput): InspectData {
  const { own, across, tournament } = inp;
  const label = own.runName;
  const thisId = acrossId(label, own.path);
  if (!tournament.has(thisId)) {
    return {
      ...own,
      notes: [...own.notes, 'This checkpoint is not in the comparison across runs yet: it is not scored, or its report is being built.'],
    };
  }
  const profiles: ProfileSeries[] = own.profiles.filter((p) => p.role === 'this').map((p) => ({ ...p, run: label }));
  const seen = new Set([thisId]);
  for (const [role, ref] of [
    ['suggested', across.suggested],
    ['minCrossEntropy', across.minCrossEntropy],
  ] as const) {
    const report = ref && inp.reports.get(ref.run);
    if (!ref || !report || seen.has(acrossId(ref.run, ref.path))) continue;
    seen.add(acrossId(ref.run, ref.path));
    const series = profileSeries(report, ref.path, role);
    if (series) profiles.push({ ...series, run: ref.run });
  }
  const standing = across.checkpoints.find((c) => c.run === label && c.path === own.path);
  const rivals = across.checkpoints
    .filter((c) => !(c.run === label && c.path === own.path))
    .map((c) => ({ run: c.run, step: c.step, path: c.path, share: tournament.share(acrossId(c.run, c.path), thisId) }))
    .sort((a, b) => b.share - a.share || a.step - b.step || (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
  const notes = [
    ...own.notes,
    `Measured against the ${inp.reports.size} runs compared: the suggestion, the lowest-CE checkpoint and the rivals are taken across all of them.`,
  ];
  if ([...inp.reports.values()].some((r) => r.coverageRelativeTo !== null)) {
    notes.push(
      `Each run's coverage is relative to its own suggestion (reference 'tournament'): other runs' profiles are not on this one's scale; the tournament row is.`,
    );
  }
  return {
    ...own,
    profiles,
    tournament: {
      score: standing?.tournamentScore ?? null,
      rivalStep: standing?.rivalStep ?? null,
      rivalRun: standing?.rivalRun ?? null,
      rivals,
    },
    notes,
  };
}
