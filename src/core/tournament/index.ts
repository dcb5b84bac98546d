// The coverage tournament: its pair counts kept up to date as checkpoints come and go
// (matrix.ts) and the ranking they give (result.ts).
export { CoverageTournament } from './matrix';
export {
  DEFAULT_DELTA,
  rankTournament,
  tournamentDev,
  type TournamentCounts,
  type TournamentEntry,
  type TournamentResult,
  type TournamentStanding,
} from './result';
