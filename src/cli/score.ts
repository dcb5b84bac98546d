// `checkpoint-coverage score <run> [--provider p] [--budget tokens]`: scores every checkpoint
// without a valid stored result, with a progress bar on stderr. scoreLayout is the same step for
// `report` and `demo`; the run itself is opened by src/run like everywhere else.
import { resolve } from 'node:path';
import type { RunLayout } from '../core/layout';
import { formatProblem } from '../core/problems';
import { describeFailure } from '../core/scoreError';
import { PROVIDERS, parseProvider } from '../core/settings';
import { DEFAULT_TOKEN_BUDGET } from '../core/defaults';
import type { Run } from '../run/openRun';
import { openRun } from '../run/openRun';
import type { RunOptions, ScoringOptions } from '../run/options';
import type { EnsureScoredResult } from '../run/runScorer';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, parseCommandArgs, type CliIO, type Command } from './args';

/** Where the progress bar and warnings go (stderr); `tty` redraws one line in place. */
export interface ProgressOut {
  write(text: string): void;
  tty: boolean;
}

export function stderrProgress(io: CliIO): ProgressOut {
  return { write: (t: string) => io.err(t), tty: process.stderr.isTTY === true };
}

/** Warnings and errors of the run go to stderr; information stays out of the way. */
export function warningLog(out: ProgressOut): NonNullable<RunOptions['log']> {
  return (level, message) => {
    if (level === 'warning') out.write(`warning: ${message}\n`);
  };
}

/**
 * Scores what the store lacks for the scanned checkpoints, with a progress bar; each failure
 * is printed as it happens. The run's input problems and files still being written are named
 * first.
 */
export async function scoreLayout(run: Run, layout: RunLayout, out: ProgressOut): Promise<EnsureScoredResult> {
  const bar = new ProgressBar(layout.checkpoints.length, out);
  for (const p of [...run.evalSet.problems, ...layout.problems]) bar.note(`warning: ${formatProblem(p)}`);
  for (const p of layout.pending) bar.note(`warning: ${p}: still being written; not scored this time`);
  try {
    return await run.ensureScored(layout.checkpoints, {
      onStart: (entry) => bar.start(entry.path),
      onProgress: (_entry, p) => bar.progress(p.samplesDone, p.samplesTotal, p.tokensPerSecond, p.provider),
      onDone: (o) => bar.done(o.failure ? `failed: ${describeFailure(o.failure.data)}` : o.reused ? undefined : `${o.entry.path}: scored on ${o.record!.info.provider} in ${o.record!.info.seconds.toFixed(1)} s`),
    });
  } finally {
    bar.finish();
  }
}

/** ` (a, b, c)` naming failed checkpoints in a summary line; long lists end in `and N more`. */
export function failedPaths(paths: readonly string[], most = 20): string {
  if (paths.length === 0) return '';
  const shown = paths.slice(0, most).join(', ');
  return ` (${shown}${paths.length > most ? `, and ${paths.length - most} more` : ''})`;
}

/** One line on stderr, redrawn in place on a terminal; plain lines otherwise (CI logs). */
class ProgressBar {
  private doneCount = 0;
  private current = '';
  private readonly tty: boolean;

  constructor(private readonly total: number, private readonly out: { write(text: string): void; tty: boolean }) {
    this.tty = out.tty;
  }

  start(path: string): void {
    this.current = path;
    this.draw(`${path}: loading`);
  }

  progress(samples: number, of: number, tps: number, provider: string): void {
    this.draw(`${this.current}: ${samples}/${of} samples, ${Math.round(tps)} tokens/s on ${provider}`);
  }

  done(message?: string): void {
    this.doneCount++;
    if (message) this.note(message);
    this.draw('');
  }

  note(message: string): void {
    this.out.write(`${this.tty ? '\r\x1b[K' : ''}${message}\n`);
  }

  finish(): void {
    if (this.tty) this.out.write('\r\x1b[K');
  }

  private draw(detail: string): void {
    if (!this.tty) return;
    const width = 24;
    const filled = this.total ? Math.round((this.doneCount / this.total) * width) : width;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.doneCount}/${this.total} ${detail}`;
    this.out.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
  }
}

const USAGE = `Usage: checkpoint-coverage score <run> [--provider auto|cuda|webgpu|cpu] [--budget tokens] [--threads n]

Scores every checkpoint of the run that has no valid stored result (under the run's store
folder, .coverage/ by default) and stores the per-sample and per-token log-probs.
  --provider   execution provider; auto tries CUDA, then WebGPU, then the CPU (default auto)
  --budget     most padded tokens per batch; memory grows with it (default ${DEFAULT_TOKEN_BUDGET})
  --threads    onnxruntime intra-op threads (default: onnxruntime's choice)
Several scorers may share one store (another shell, the extension, array jobs on a cluster):
each checkpoint is scored by one of them and the others wait for its result.
Exit codes: 0 every checkpoint scored, 1 some checkpoint failed, 2 bad input.
`;

/** The scoring flags `score`, `report` and `slurm` share, as run options. Throws UsageError. */
export function parseScoringFlags(values: { provider?: string; budget?: string; threads?: string }): Required<Pick<ScoringOptions, 'provider' | 'tokenBudget'>> & ScoringOptions {
  const provider = parseProvider(values.provider ?? 'auto');
  if (!provider) throw new UsageError(`--provider ${values.provider}: expected one of ${PROVIDERS.join(', ')}`);
  const tokenBudget = values.budget === undefined ? DEFAULT_TOKEN_BUDGET : Number(values.budget);
  if (!Number.isSafeInteger(tokenBudget) || tokenBudget < 1) throw new UsageError(`--budget ${values.budget}: expected a positive whole number of tokens`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024)) throw new UsageError(`--threads ${values.threads}: expected a whole number from 1 to 1024`);
  return { provider, tokenBudget, ...(threads === undefined ? {} : { threads }) };
}

/** The flags parseScoringFlags reads, for parseCommandArgs. */
export const SCORING_FLAGS = { provider: { type: 'string' }, budget: { type: 'string' }, threads: { type: 'string' } } as const;

export function parseScoreArgs(argv: string[]): { run: string; scoring: ScoringOptions } {
  const { values, positionals } = parseCommandArgs(argv, SCORING_FLAGS, { min: 1, max: 1, names: 'the run folder' });
  return { run: positionals[0], scoring: parseScoringFlags(values) };
}

export const command: Command = {
  usage: USAGE,
  /** 0 all scored, 1 some checkpoint failed or the run could not be read, 2 bad arguments (thrown). */
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseScoreArgs(argv);
    const out = stderrProgress(io);
    const run = await openRun(resolve(io.cwd, args.run), { scoring: args.scoring, log: warningLog(out) });
    let layout: RunLayout;
    let result: EnsureScoredResult;
    try {
      layout = await run.scan();
      result = await scoreLayout(run, layout, out);
    } finally {
      await run.dispose();
    }
    const failed = result.outcomes.filter((o) => o.failure);
    const reused = result.outcomes.filter((o) => o.reused).length;
    const scored = result.outcomes.length - failed.length - reused;
    if (result.outcomes.length === 0) {
      io.err(`checkpoint-coverage score: no checkpoints found in ${layout.root}\n`);
      return EXIT_USAGE;
    }
    // Each failure's reason was printed as it happened; the summary only names them.
    io.err(`${result.outcomes.length} checkpoint(s): ${scored} scored in ${result.scoringSeconds.toFixed(1)} s, ${reused} from the store (${result.lookupSeconds.toFixed(2)} s), ${failed.length} failed${failedPaths(failed.map((f) => f.entry.path))}\n`);
    return failed.length ? EXIT_FAILURE : EXIT_OK;
  },
};
