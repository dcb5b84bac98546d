// `checkpoint-coverage score <run> [--provider p] [--budget tokens]`: scores every checkpoint
// without a valid stored result, with a progress bar on stderr. ensureScored is the same step
// for `report` and `demo`.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { taskPlan, taskSlotFromEnv, type TaskSlot } from '../core/cluster';
import { loadConfig, type RunConfig } from '../core/config';
import { loadEvalSet, type EvalSet } from '../core/evalset';
import { HashCache } from '../core/hashcache';
import { fsErrorCode } from '../core/paths';
import { scanRun, type RunLayout } from '../core/layout';
import { formatProblem } from '../core/problems';
import type { ProviderSetting } from '../core/store';
import { readClaims } from '../core/store/claims';
import { loadTokenizer } from '../core/tokenizer';
import type { CheckpointEntry } from '../core/types';
import { DEFAULT_TOKEN_BUDGET } from '../scoring/batching';
import { RunScorer, type CheckpointOutcome, type EnsureScoredResult } from '../scoring/runScorer';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, parseCommandArgs, type CliIO, type Command } from './args';

const PROVIDERS: readonly string[] = ['auto', 'cuda', 'webgpu', 'cpu'];

export interface EnsureScoredOptions {
  provider?: ProviderSetting;
  tokenBudget?: number;
  /** onnxruntime intra-op threads in the worker; 0 or absent: onnxruntime's choice. */
  threads?: number;
  /** Where the progress bar and warnings go (stderr); `tty` redraws one line in place. */
  progress?: { write(text: string): void; tty: boolean };
  /** Files changed more recently are still being written (layout scan); tests pass 0. */
  settleMs?: number;
  /** Let coverage.json name files outside the run folder (trusted use only). */
  allowOutside?: boolean;
  /** The run's settings when the caller has read them already (readRunConfig); read here otherwise. */
  config?: RunConfig;
  /** This process is one task of a job array: it starts at its own share and leaves the others' (see core/cluster). */
  task?: TaskSlot;
}

export interface ScoredRun extends EnsureScoredResult {
  config: RunConfig;
  layout: RunLayout;
  evalSet: EvalSet;
  /** The run's hash cache (loaded from the store), for any further scoring of this run. */
  hashCache: HashCache;
  /** Array tasks only: checkpoints kept for other tasks that had neither claimed nor stored them yet. */
  left: CheckpointEntry[];
}

/** The run folder's coverage.json (or the defaults); a missing folder or a file in its place is named. */
export async function readRunConfig(run: string, opts: { allowOutside?: boolean } = {}): Promise<RunConfig> {
  const st = await stat(run).catch((e: unknown) => {
    throw new Error(`${run}: cannot read the run folder (${fsErrorCode(e)})`);
  });
  if (!st.isDirectory()) throw new Error(`${run}: expected a run folder, found a file`);
  return loadConfig(run, { allowOutside: opts.allowOutside });
}

export interface LoadedRun {
  config: RunConfig;
  evalSet: EvalSet;
  layout: RunLayout;
  /** The run's hashes.json, already used by the layout scan; hand it to the RunScorer too. */
  hashCache: HashCache;
}

/** The run as ensureScored reads it before scoring: settings, eval set (tokenized if need be), layout. */
export async function loadRun(run: string, opts: Pick<EnsureScoredOptions, 'allowOutside' | 'config' | 'settleMs'> = {}): Promise<LoadedRun> {
  const config = opts.config ?? await readRunConfig(run, opts);
  const tokenizer = config.tokenizer ? await loadTokenizer(config.tokenizer) : undefined;
  const evalSet = await loadEvalSet(config.eval, { tokenizer });
  // The file cache spares a large run rehashing every model on each call; the layout scan (duplicate
  // check) and the store keys share it, so no file is hashed twice in one call either.
  const hashCache = await HashCache.forStore(config.store);
  const layout = await scanRun(run, { storeDir: config.store, hashCache, settleMs: opts.settleMs });
  return { config, evalSet, layout, hashCache };
}

/** Loads the run (loadRun) and scores what the store lacks. */
export async function ensureScored(run: string, opts: EnsureScoredOptions = {}): Promise<ScoredRun> {
  const { config, evalSet, layout, hashCache } = await loadRun(run, opts);
  const bar = opts.progress ? new ProgressBar(layout.checkpoints.length, opts.progress) : undefined;
  const say = (level: 'info' | 'warning', message: string) => {
    if (level === 'warning') bar?.note(`warning: ${message}`);
  };
  if (opts.progress) {
    for (const p of [...evalSet.problems, ...layout.problems]) say('warning', formatProblem(p));
    for (const p of layout.pending) say('warning', `${p}: still being written; not scored this time`);
  }
  const scorer = new RunScorer({
    runRoot: layout.root, evalSet, storeDir: config.store, hashCache, log: say,
    provider: opts.provider, tokenBudget: opts.tokenBudget, threads: opts.threads,
  });
  const hooks: Parameters<RunScorer['ensureScored']>[1] = {
    onStart: (entry) => bar?.start(entry.path),
    onProgress: (_entry, p) => bar?.progress(p.samplesDone, p.samplesTotal, p.tokensPerSecond, p.provider),
    onDone: (o) => bar?.done(o.error ? `failed: ${o.error}` : o.reused ? undefined : `${o.entry.path}: scored on ${o.record!.info.provider} in ${o.record!.info.seconds.toFixed(1)} s`),
  };
  try {
    if (!opts.task) return { ...(await scorer.ensureScored(layout.checkpoints, hooks)), config, layout, evalSet, hashCache, left: [] };
    const plan = taskPlan(layout.checkpoints.length, opts.task);
    const at = (i: number) => layout.checkpoints[i];
    bar?.note(describeTask(opts.task, plan.own === undefined ? undefined : at(plan.own).path, layout.checkpoints.length));
    const mine = await scorer.ensureScored(plan.order.map(at), hooks);
    // A kept checkpoint is its task's to score; once that task has claimed it, it is like any
    // other: awaited, and taken over if its holder died (a cancelled task).
    const claimed = new Set((await readClaims(scorer.dir)).map((c) => c.holder?.checkpoint));
    const awaited: CheckpointEntry[] = [];
    const outcomes: CheckpointOutcome[] = [...mine.outcomes];
    const left: CheckpointEntry[] = [];
    for (const entry of plan.keptForOthers.map(at)) {
      if (claimed.has(entry.path)) awaited.push(entry);
      else {
        const found = await scorer.lookup(entry).catch(() => undefined);
        if (found?.status === 'ok') outcomes.push({ entry, record: found.record, reused: true });
        else left.push(entry);
      }
    }
    const theirs = await scorer.ensureScored(awaited, hooks);
    return {
      outcomes: [...outcomes, ...theirs.outcomes],
      scoringSeconds: mine.scoringSeconds + theirs.scoringSeconds,
      lookupSeconds: mine.lookupSeconds + theirs.lookupSeconds,
      config, layout, evalSet, hashCache, left,
    };
  } finally {
    bar?.finish();
    await scorer.dispose();
  }
}

/** The first line of an array task's log: who it is, and where it starts. */
function describeTask(t: TaskSlot, own: string | undefined, checkpoints: number): string {
  const who = `task ${t.index}${t.count === undefined ? '' : ` of ${t.count}`} (${t.source}) on ${hostname()}, pid ${process.pid}`;
  const start = own ? `starts at ${own}, kept for it` : t.count === undefined ? 'no task count (--tasks or SLURM_ARRAY_TASK_COUNT), so no checkpoint is kept for it' : 'no checkpoint is kept for it';
  return `${who}: ${checkpoints} checkpoint(s); ${start}`;
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
                                  [--tasks K]

Scores every checkpoint of the run that has no valid stored result (under the run's store
folder, .coverage/ by default) and stores the per-sample and per-token log-probs.
  --provider   execution provider; auto tries CUDA, then WebGPU, then the CPU (default auto)
  --budget     most padded tokens per batch; memory grows with it (default ${DEFAULT_TOKEN_BUDGET})
  --threads    onnxruntime intra-op threads (default: onnxruntime's choice)
  --tasks      as one of K array tasks: how many there are (Slurm sets SLURM_ARRAY_TASK_COUNT)
Several scorers may share one store (another shell, the extension, array jobs on a cluster):
each checkpoint is scored by one of them and the others wait for its result. In a job array
(SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX in a Kubernetes Indexed Job) task i of K starts
at checkpoint i·n/K, which is kept for it; it logs its index and each checkpoint it scored.
Exit codes: 0 every checkpoint scored, 1 some checkpoint failed, 2 bad input.
`;

export function parseScoreArgs(argv: string[]): { run: string; provider: ProviderSetting; tokenBudget: number; threads?: number; tasks?: number } {
  const { values, positionals } = parseCommandArgs(argv, {
    provider: { type: 'string' }, budget: { type: 'string' }, threads: { type: 'string' }, tasks: { type: 'string' },
  }, { min: 1, max: 1, names: 'the run folder' });
  const provider = values.provider ?? 'auto';
  if (!PROVIDERS.includes(provider)) throw new UsageError(`--provider ${provider}: expected one of ${PROVIDERS.join(', ')}`);
  const tokenBudget = values.budget === undefined ? DEFAULT_TOKEN_BUDGET : Number(values.budget);
  if (!Number.isSafeInteger(tokenBudget) || tokenBudget < 1) throw new UsageError(`--budget ${values.budget}: expected a positive whole number of tokens`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024)) throw new UsageError(`--threads ${values.threads}: expected a whole number from 1 to 1024`);
  const tasks = values.tasks === undefined ? undefined : Number(values.tasks);
  if (tasks !== undefined && (!/^\d+$/.test(values.tasks!) || tasks < 1)) throw new UsageError(`--tasks ${values.tasks}: expected a positive whole number of array tasks`);
  return { run: positionals[0], provider: provider as ProviderSetting, tokenBudget, ...(threads === undefined ? {} : { threads }), ...(tasks === undefined ? {} : { tasks }) };
}

export const command: Command = {
  usage: USAGE,
  /** 0 all scored, 1 some checkpoint failed or the run could not be read, 2 bad arguments (thrown). */
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseScoreArgs(argv);
    const slot = taskSlotFromEnv(process.env, args.tasks);
    if (!slot.ok) throw new UsageError(slot.reason);
    const out = { write: (t: string) => io.err(t), tty: process.stderr.isTTY === true };
    const result = await ensureScored(resolve(io.cwd, args.run), { provider: args.provider, tokenBudget: args.tokenBudget, threads: args.threads, progress: out, task: slot.slot });
    const failed = result.outcomes.filter((o) => o.error);
    const reused = result.outcomes.filter((o) => o.reused).length;
    const scored = result.outcomes.length - failed.length - reused;
    if (result.layout.checkpoints.length === 0) {
      io.err(`checkpoint-coverage score: no checkpoints found in ${result.layout.root}\n`);
      return EXIT_USAGE;
    }
    // Each failure's reason was printed as it happened; the summary only names them.
    const left = result.left.length ? `, ${result.left.length} left to the tasks they are kept for${failedPaths(result.left.map((e) => e.path))}` : '';
    io.err(`${result.layout.checkpoints.length} checkpoint(s): ${scored} scored in ${result.scoringSeconds.toFixed(1)} s, ${reused} from the store (${result.lookupSeconds.toFixed(2)} s), ${failed.length} failed${failedPaths(failed.map((f) => f.entry.path))}${left}\n`);
    return failed.length ? EXIT_FAILURE : EXIT_OK;
  },
};
