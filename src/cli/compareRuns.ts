// `report <run> <run> …` and `report <sweep> --all-nested`: each run's report (scored as for one
// run), then the comparison across them (core/report/across.ts). Every run is read before any
// is scored, so a mistyped folder fails at once; a run that cannot be reported fails the command
// after the others are scored (their scores are stored), and nothing is printed on stdout.
import { join, relative, resolve } from 'node:path';
import { buildAcross, formatRunsCsv, formatRunsJson, formatRunsText, type NamedReport } from '../core/report';
import { nestedRunsOf, readRunConfig } from '../run/openRun';
import type { RunReportResult as ReportRunResult } from '../run/report';
import { EXIT_FAILURE, EXIT_OK, type CliIO } from './args';

export interface SeveralRuns {
  /** The folders as given; with allNested, the one sweep folder. */
  runs: string[];
  allNested: boolean;
  format: 'text' | 'json' | 'csv';
  allowOutside: boolean;
}

export interface SeveralRunsHooks {
  /** reportRun with the command's options, for one absolute run folder. */
  report(run: string): Promise<ReportRunResult>;
  /** The scoring summary line of one run. */
  summary(result: ReportRunResult): string;
}

export async function reportSeveral(args: SeveralRuns, io: CliIO, hooks: SeveralRunsHooks): Promise<number> {
  const names = args.allNested ? await nestedRuns(args.runs[0], io.cwd) : args.runs;
  let unreadable = 0;
  for (const name of names) {
    try {
      await readRunConfig(resolve(io.cwd, name), { allowOutside: args.allowOutside });
    } catch (e) {
      io.err(`checkpoint-coverage report: ${errorText(e)}\n`);
      unreadable++;
    }
  }
  if (unreadable > 0) return EXIT_FAILURE;

  const done: (NamedReport & { result: ReportRunResult })[] = [];
  let failed = 0;
  for (const run of names) {
    io.err(`run ${run}:\n`);
    try {
      const result = await hooks.report(resolve(io.cwd, run));
      io.err(hooks.summary(result));
      done.push({ run, report: result.report, result });
    } catch (e) {
      io.err(`checkpoint-coverage report: ${errorText(e)}\n`);
      failed++;
    }
  }
  if (failed > 0) {
    io.err(`checkpoint-coverage report: ${failed} of ${names.length} runs could not be reported; nothing printed\n`);
    return EXIT_FAILURE;
  }

  const across = buildAcross(
    done.map(({ run, result: r }) => ({ run, evalSetHash: r.evalSetHash, report: r.report, checkpoints: r.checkpoints, r: r.r })),
  );
  if (args.format === 'json') io.out(formatRunsJson(done, across));
  else if (args.format === 'csv') io.out(formatRunsCsv(done, across.across));
  else io.out(formatRunsText(done, across));
  // The text prints warnings and the reason there is no comparison; JSON and CSV readers see them here.
  if (args.format !== 'text') {
    for (const { run, report } of done) for (const w of report.warnings) io.err(`warning: ${run}: ${w}\n`);
    if (across.acrossError !== null) io.err(`warning: no comparison across runs: ${across.acrossError}\n`);
  }
  return done.every(({ report }) => report.checkpoints.length > 0) ? EXIT_OK : EXIT_FAILURE;
}

/** The sweep's nested runs (the layout scan's nestedRuns), named under the folder as given. */
async function nestedRuns(sweep: string, cwd: string): Promise<string[]> {
  const root = resolve(cwd, sweep);
  const { runs } = await nestedRunsOf(root);
  if (runs.length === 0) {
    throw new Error(`${sweep}: no nested runs (subfolders with their own coverage.json or eval.jsonl) to report`);
  }
  return runs.map((n) => join(sweep, relative(root, n)));
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
