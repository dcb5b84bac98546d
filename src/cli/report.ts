// `checkpoint-coverage report <run>`: scores what the store lacks, then prints the coverage
// report (table + verdict, JSON or CSV). Only the report goes to stdout, so `--json` output can
// be piped; progress, the scoring summary, failures and warnings go to stderr.
import { resolve } from 'node:path';
import type { ReferenceSetting } from '../core/metrics';
import { formatReportCsv, formatReportText, type CoverageReport } from '../core/report';
import type { ConfigOverrides } from '../core/runConfig';
import { REFERENCE_TEXT_FORMS, parseReferenceText } from '../core/settings';
import { openRun } from '../run/openRun';
import type { ScoringOptions } from '../run/options';
import { reportOutcomes, type RunReportResult } from '../run/report';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type CliIO, type Command } from './args';
import { reportSeveral } from './compareRuns';
import {
  SCORING_FLAGS,
  WAIT_FLAG,
  failedPaths,
  parseScoringFlags,
  scanForScoring,
  scoreLayout,
  stderrProgress,
  warningLog,
  type ProgressOut,
} from './score';

const USAGE = `Usage: checkpoint-coverage report <run> [<run> …] [--json | --csv] [--selection-n N] [--reference R]
                                   [--provider p] [--budget tokens] [--allow-outside] [--no-wait]
       checkpoint-coverage report <sweep> --all-nested [options]

Scores every checkpoint that has no valid stored result (progress on stderr), then prints the
coverage report: per checkpoint its tokens, cross-entropy per token, Cov_N at a few N (lower is
better), its tournament score and strongest rival, the suggested and the lowest-cross-entropy
checkpoints, and a one-line verdict (README.md explains how to read it).
  --json           one JSON object on stdout instead of the table
  --csv            one CSV row per checkpoint instead of the table
  --selection-n    threshold N of the coverage tournament, > 1 (default: coverage.json, else 16)
  --reference      generator | point-mass | tournament | model:<path> (.onnx, model.safetensors or its index)
                   (default: coverage.json, else generator when every eval line has ref_logprob,
                   else tournament); a model path is relative to the current folder
  --provider       auto | cuda | webgpu | cpu (default auto)
  --budget         most padded tokens per batch (default 8192)
  --allow-outside  let coverage.json and --reference name files outside the run folder
  --all-nested     report every nested run of the folder (a sweep), as if each were named
  --no-wait        do not wait (up to 60 s) for checkpoints changed in the last seconds
Several runs: each run's report, then one coverage tournament over all their checkpoints with
one suggestion across them (JSON: {"runs": [...], "across": {...}}). Runs whose eval sets
differ get "across": null and the reason ("acrossError"); their own reports still print.
Checkpoints that cannot be scored are listed under "failed" and on stderr; the report covers
the others. Exit codes: 0 report printed, 1 a run could not be read or nothing could be
scored, 2 bad arguments.
`;

export interface ReportArgs {
  /** The run folders as given; with allNested, the one sweep folder. */
  runs: string[];
  allNested: boolean;
  format: 'text' | 'json' | 'csv';
  selectionN?: number;
  reference?: ReferenceSetting;
  scoring: ScoringOptions;
  allowOutside: boolean;
  /** Wait for checkpoints changed in the last seconds (false: --no-wait). */
  wait: boolean;
}

/** Parses the arguments; a model reference is resolved against `cwd`. Throws UsageError. */
export function parseReportArgs(argv: string[], cwd: string): ReportArgs {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      'selection-n': { type: 'string' },
      reference: { type: 'string' },
      ...SCORING_FLAGS,
      ...WAIT_FLAG,
      'allow-outside': { type: 'boolean' },
      'all-nested': { type: 'boolean' },
    },
    { min: 1, max: Infinity, names: 'the run folder' },
  );
  if (values.json && values.csv) throw new UsageError('--json and --csv exclude each other');
  const allNested = values['all-nested'] === true;
  if (allNested && positionals.length > 1) throw new UsageError('--all-nested takes one folder, the sweep whose nested runs to report');
  const seen = new Map<string, string>();
  for (const p of positionals) {
    const abs = resolve(cwd, p);
    if (seen.has(abs)) throw new UsageError(`the run folder ${p} is given twice${seen.get(abs) === p ? '' : ` (as ${seen.get(abs)})`}`);
    seen.set(abs, p);
  }
  const args: ReportArgs = {
    runs: positionals,
    allNested,
    format: values.json ? 'json' : values.csv ? 'csv' : 'text',
    scoring: parseScoringFlags(values),
    allowOutside: values['allow-outside'] === true,
    wait: values['no-wait'] !== true,
  };
  const n = values['selection-n'];
  if (n !== undefined) {
    const x = Number(n);
    if (n.trim() === '' || !Number.isFinite(x) || x <= 1) throw new UsageError(`--selection-n ${n}: expected a number greater than 1`);
    args.selectionN = x;
  }
  if (values.reference !== undefined) {
    const r = parseReferenceText(values.reference);
    if (r === undefined) throw new UsageError(`--reference ${values.reference}: expected ${REFERENCE_TEXT_FORMS}`);
    args.reference = typeof r === 'string' ? r : { model: resolve(cwd, r.model) };
  }
  return args;
}

/** Thrown when the run holds no checkpoint at all: there is nothing to report on. */
export class EmptyRunError extends Error {
  override name = 'EmptyRunError';
}

export interface ReportRunOptions {
  selectionN?: number;
  /** A model path is absolute here. */
  reference?: ReferenceSetting;
  scoring?: ScoringOptions;
  allowOutside?: boolean;
  /** Files changed more recently are still being written; the demo, which wrote them, passes 0. */
  settleMs?: number;
  /** Wait (bounded) for checkpoints still settling; default true. */
  wait?: boolean;
}

export type ReportRunResult = RunReportResult;

/**
 * A run folder to its report: the run opened with the flags over coverage.json, every
 * checkpoint scored or read from the store (progress on `out`), then the report.
 */
export async function reportRun(root: string, opts: ReportRunOptions, out: ProgressOut): Promise<ReportRunResult> {
  const overrides: ConfigOverrides = { source: 'the command line', outsideHint: 'pass --allow-outside if you trust it' };
  if (opts.selectionN !== undefined) overrides.selectionN = opts.selectionN;
  if (opts.reference !== undefined) overrides.reference = opts.reference;
  // Settings (and a bad reference) fail here, before any scoring.
  const run = await openRun(root, {
    allowOutside: opts.allowOutside,
    overrides,
    scoring: opts.scoring,
    settleMs: opts.settleMs,
    log: warningLog(out),
  });
  try {
    const layout = await scanForScoring(run, out, opts.wait ?? true);
    const scored = await scoreLayout(run, layout, out);
    if (scored.outcomes.length === 0) {
      const pending = layout.pending.length ? ` (${layout.pending.length} still being written)` : '';
      throw new EmptyRunError(`${layout.root}: no checkpoints found${pending}; see README.md for the names a checkpoint may have`);
    }
    const result = await reportOutcomes(run, scored);
    const ref = result.referenceModel;
    if (ref && !ref.reused)
      out.write(`reference model ${ref.path}: scored on ${ref.record.info.provider} in ${ref.record.info.seconds.toFixed(1)} s\n`);
    return result;
  } finally {
    await run.dispose();
  }
}

/** Options the demo passes: it wrote the run itself, so nothing in it is still being written. */
export interface ReportCommandExtras {
  settleMs?: number;
}

/** Runs the command; `report` is set when one was printed (the demo comments on it). */
export async function runReport(
  argv: string[],
  io: CliIO,
  extras: ReportCommandExtras = {},
): Promise<{ code: number; report?: CoverageReport }> {
  const args = parseReportArgs(argv, io.cwd);
  if (args.allNested || args.runs.length > 1) {
    return {
      code: await reportSeveral(args, io, {
        report: (run) => reportRun(run, reportOptions(args, extras), stderrProgress(io)),
        summary: scoringSummary,
      }),
    };
  }
  let result: ReportRunResult;
  try {
    result = await reportRun(resolve(io.cwd, args.runs[0]), reportOptions(args, extras), stderrProgress(io));
  } catch (e) {
    if (e instanceof EmptyRunError) {
      io.err(`checkpoint-coverage report: ${e.message}\n`);
      return { code: EXIT_FAILURE };
    }
    throw e;
  }
  const { report } = result;
  io.err(scoringSummary(result));
  if (args.format === 'json') io.out(JSON.stringify(report, null, 2) + '\n');
  else if (args.format === 'csv') io.out(formatReportCsv(report));
  else io.out(formatReportText(report));
  // The table prints its warnings; JSON and CSV readers see them here.
  if (args.format !== 'text') for (const w of report.warnings) io.err(`warning: ${w}\n`);
  return { code: report.checkpoints.length > 0 ? EXIT_OK : EXIT_FAILURE, report };
}

/** reportRun's options from the arguments. */
function reportOptions(args: ReportArgs, extras: ReportCommandExtras): ReportRunOptions {
  return {
    reference: args.reference,
    selectionN: args.selectionN,
    allowOutside: args.allowOutside,
    scoring: args.scoring,
    settleMs: extras.settleMs,
    wait: args.wait,
  };
}

/** The one line on stderr that says how the scores were obtained. */
function scoringSummary(result: ReportRunResult): string {
  const s = result.scoring;
  return (
    `${s.checkpoints} checkpoint(s): ${s.scored} scored in ${s.scoringSeconds.toFixed(1)} s, ` +
    `${s.reused} reused from the store (${s.lookupSeconds.toFixed(2)} s), ${s.failed.length} failed` +
    // scoreLayout printed each failure's reason as it happened; the summary only names them.
    failedPaths(s.failed.map((f) => f.path)) +
    (result.referenceModel ? `; reference model ${result.referenceModel.path} ${result.referenceModel.reused ? 'reused' : 'scored'}` : '') +
    '\n'
  );
}

export const command: Command = {
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    return (await runReport(argv, io)).code;
  },
};
