// `checkpoint-coverage score <run> [--provider p] [--budget tokens]`: scores every checkpoint
// without a valid stored result, with a progress bar on stderr. scoreLayout is the same step for
// `report` and `demo`; the run itself is opened by src/run like everywhere else.
import { resolve } from 'node:path';
import { taskSlotFromEnv, type TaskSlot } from '../core/cluster';
import type { RunLayout } from '../core/layout';
import { formatProblem } from '../core/problems';
import { describeFailure } from '../core/scoreError';
import { PROVIDERS, parseProvider } from '../core/settings';
import { DEFAULT_TOKEN_BUDGET } from '../core/defaults';
import type { Run } from '../run/openRun';
import { openRun } from '../run/openRun';
import type { RunOptions, ScoringOptions } from '../run/options';
import { describeTask, ensureScoredAsTask, type TaskResult } from '../run/arrayTask';
import { DEFAULT_SETTLE_WAIT_MS, scanSettled } from '../run/settle';
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
 * The run's layout for scoring: unless `wait` is false, checkpoints written in the last moments
 * are waited for (bounded), with one line on stderr saying so.
 */
export async function scanForScoring(run: Run, out: ProgressOut, wait: boolean): Promise<RunLayout> {
  let told = false;
  return scanSettled(run, {
    maxWaitMs: wait ? DEFAULT_SETTLE_WAIT_MS : 0,
    onWait: (settling, leftMs) => {
      if (told) return;
      told = true;
      out.write(
        `waiting up to ${Math.ceil(leftMs / 1000)} s for ${settling.length} checkpoint(s) changed in the last moments to settle (${settling.slice(0, 3).join(', ')}${settling.length > 3 ? ', …' : ''}); --no-wait skips this\n`,
      );
    },
  });
}

/**
 * Scores what the store lacks for the scanned checkpoints, with a progress bar; each failure
 * is printed as it happens. The run's input problems and files still being written are named
 * first. As one task of a job array, the task says who it is and starts at its own share.
 */
export async function scoreLayout(run: Run, layout: RunLayout, out: ProgressOut, task?: TaskSlot): Promise<TaskResult> {
  const bar = new ProgressBar(layout.checkpoints.length, out);
  if (task) bar.note(describeTask(task, layout));
  for (const p of [...run.evalSet.problems, ...layout.problems]) bar.note(`warning: ${formatProblem(p)}`);
  for (const p of layout.pending) bar.note(`warning: ${p}: still being written; not scored this time`);
  try {
    return await ensureScoredAsTask(run, layout, task, {
      onStart: (entry) => bar.start(entry.path),
      onProgress: (_entry, p) => bar.progress(p.samplesDone, p.samplesTotal, p.tokensPerSecond, p.provider),
      onDone: (o) =>
        bar.done(
          o.failure
            ? `failed: ${describeFailure(o.failure.data)}`
            : o.reused
              ? undefined
              : `${o.entry.path}: scored on ${o.record!.info.provider} in ${o.record!.info.seconds.toFixed(1)} s`,
        ),
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

  constructor(
    private readonly total: number,
    private readonly out: { write(text: string): void; tty: boolean },
  ) {
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
                                  [--tasks K] [--no-wait]

Scores every checkpoint of the run that has no valid stored result (under the run's store
folder, .coverage/ by default) and stores the per-sample and per-token log-probs.
  --provider   execution provider; auto tries CUDA, then WebGPU, then the CPU (default auto)
  --budget     most padded tokens per batch; memory grows with it (default ${DEFAULT_TOKEN_BUDGET})
  --threads    onnxruntime intra-op threads (default: onnxruntime's choice)
  --tasks      as one of K array tasks: how many there are (Slurm sets SLURM_ARRAY_TASK_COUNT)
  --no-wait    do not wait (up to ${DEFAULT_SETTLE_WAIT_MS / 1000} s) for checkpoints changed in the last
               seconds; they are left for the next run (*.tmp, *.partial and hidden files
               are never waited for)
Several scorers may share one store (another shell, the extension, array jobs on a cluster):
each checkpoint is scored by one of them and the others wait for its result. In a job array
(SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX in a Kubernetes Indexed Job) task i of K starts
at checkpoint i·n/K, which is kept for it; it logs its index and each checkpoint it scored.
Exit codes: 0 every checkpoint scored, 1 some checkpoint failed, 2 bad input.
`;

/** The scoring flags `score`, `report` and `slurm` share, as run options. Throws UsageError. */
export function parseScoringFlags(values: {
  provider?: string;
  budget?: string;
  threads?: string;
}): Required<Pick<ScoringOptions, 'provider' | 'tokenBudget'>> & ScoringOptions {
  const provider = parseProvider(values.provider ?? 'auto');
  if (!provider) throw new UsageError(`--provider ${values.provider}: expected one of ${PROVIDERS.join(', ')}`);
  const tokenBudget = values.budget === undefined ? DEFAULT_TOKEN_BUDGET : Number(values.budget);
  if (!Number.isSafeInteger(tokenBudget) || tokenBudget < 1)
    throw new UsageError(`--budget ${values.budget}: expected a positive whole number of tokens`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024))
    throw new UsageError(`--threads ${values.threads}: expected a whole number from 1 to 1024`);
  return { provider, tokenBudget, ...(threads === undefined ? {} : { threads }) };
}

/** The flags parseScoringFlags reads, for parseCommandArgs. */
export const SCORING_FLAGS = { provider: { type: 'string' }, budget: { type: 'string' }, threads: { type: 'string' } } as const;

/** `--no-wait`, shared by the commands that scan a run to score it (see scanForScoring). */
export const WAIT_FLAG = { 'no-wait': { type: 'boolean' } } as const;

export function parseScoreArgs(argv: string[]): { run: string; scoring: ScoringOptions; wait: boolean; tasks?: number } {
  const { values, positionals } = parseCommandArgs(
    argv,
    { ...SCORING_FLAGS, ...WAIT_FLAG, tasks: { type: 'string' } },
    { min: 1, max: 1, names: 'the run folder' },
  );
  const tasks = values.tasks === undefined ? undefined : Number(values.tasks);
  if (tasks !== undefined && (!/^\d+$/.test(values.tasks!) || tasks < 1))
    throw new UsageError(`--tasks ${values.tasks}: expected a positive whole number of array tasks`);
  return {
    run: positionals[0],
    scoring: parseScoringFlags(values),
    wait: values['no-wait'] !== true,
    ...(tasks === undefined ? {} : { tasks }),
  };
}

export const command: Command = {
  usage: USAGE,
  /** 0 all scored, 1 some checkpoint failed or the run could not be read, 2 bad arguments (thrown). */
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseScoreArgs(argv);
    const slot = taskSlotFromEnv(process.env, args.tasks);
    if (!slot.ok) throw new UsageError(slot.reason);
    const out = stderrProgress(io);
    const run = await openRun(resolve(io.cwd, args.run), { scoring: args.scoring, log: warningLog(out) });
    let layout: RunLayout;
    let result: TaskResult;
    try {
      layout = await scanForScoring(run, out, args.wait);
      result = await scoreLayout(run, layout, out, slot.slot);
    } finally {
      await run.dispose();
    }
    const failed = result.outcomes.filter((o) => o.failure);
    const reused = result.outcomes.filter((o) => o.reused).length;
    const scored = result.outcomes.length - failed.length - reused;
    if (layout.checkpoints.length === 0) {
      io.err(`checkpoint-coverage score: no checkpoints found in ${layout.root}\n`);
      return EXIT_USAGE;
    }
    // Each failure's reason was printed as it happened; the summary only names them.
    const left = result.left.length
      ? `, ${result.left.length} left to the tasks they are kept for${failedPaths(result.left.map((e) => e.path))}`
      : '';
    io.err(
      `${layout.checkpoints.length} checkpoint(s): ${scored} scored in ${result.scoringSeconds.toFixed(1)} s, ${reused} from the store (${result.lookupSeconds.toFixed(2)} s), ${failed.length} failed${failedPaths(failed.map((f) => f.entry.path))}${left}\n`,
    );
    return failed.length ? EXIT_FAILURE : EXIT_OK;
  },
};
