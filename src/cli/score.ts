// `checkpoint-coverage score <run> [--provider p] [--budget tokens]`: scores every checkpoint
// without a valid stored result, with a progress bar on stderr. ensureScored is the same step
// for `report` and `demo`.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig, type RunConfig } from '../core/runConfig';
import { loadEvalSet, type EvalSet } from '../core/evalset';
import { HashCache } from '../core/hashcache';
import { fsErrorCode } from '../core/paths';
import { scanRun, type RunLayout } from '../core/layout';
import { formatProblem } from '../core/problems';
import type { ProviderSetting } from '../core/store';
import { loadTokenizer } from '../core/tokenizer';
import { DEFAULT_TOKEN_BUDGET } from '../scoring/batching';
import { RunScorer, type EnsureScoredResult } from '../scoring/runScorer';
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
}

export interface ScoredRun extends EnsureScoredResult {
  config: RunConfig;
  layout: RunLayout;
  evalSet: EvalSet;
  /** The run's hash cache (loaded from the store), for any further scoring of this run. */
  hashCache: HashCache;
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
  try {
    const result = await scorer.ensureScored(layout.checkpoints, {
      onStart: (entry) => bar?.start(entry.path),
      onProgress: (_entry, p) => bar?.progress(p.samplesDone, p.samplesTotal, p.tokensPerSecond, p.provider),
      onDone: (o) => bar?.done(o.error ? `failed: ${o.error}` : o.reused ? undefined : `${o.entry.path}: scored on ${o.record!.info.provider} in ${o.record!.info.seconds.toFixed(1)} s`),
    });
    return { ...result, config, layout, evalSet, hashCache };
  } finally {
    bar?.finish();
    await scorer.dispose();
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

export function parseScoreArgs(argv: string[]): { run: string; provider: ProviderSetting; tokenBudget: number; threads?: number } {
  const { values, positionals } = parseCommandArgs(argv, { provider: { type: 'string' }, budget: { type: 'string' }, threads: { type: 'string' } }, { min: 1, max: 1, names: 'the run folder' });
  const provider = values.provider ?? 'auto';
  if (!PROVIDERS.includes(provider)) throw new UsageError(`--provider ${provider}: expected one of ${PROVIDERS.join(', ')}`);
  const tokenBudget = values.budget === undefined ? DEFAULT_TOKEN_BUDGET : Number(values.budget);
  if (!Number.isSafeInteger(tokenBudget) || tokenBudget < 1) throw new UsageError(`--budget ${values.budget}: expected a positive whole number of tokens`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024)) throw new UsageError(`--threads ${values.threads}: expected a whole number from 1 to 1024`);
  return { run: positionals[0], provider: provider as ProviderSetting, tokenBudget, ...(threads === undefined ? {} : { threads }) };
}

export const command: Command = {
  usage: USAGE,
  /** 0 all scored, 1 some checkpoint failed or the run could not be read, 2 bad arguments (thrown). */
  async run(argv: string[], io: CliIO): Promise<number> {
    const args = parseScoreArgs(argv);
    const out = { write: (t: string) => io.err(t), tty: process.stderr.isTTY === true };
    const result = await ensureScored(resolve(io.cwd, args.run), { provider: args.provider, tokenBudget: args.tokenBudget, threads: args.threads, progress: out });
    const failed = result.outcomes.filter((o) => o.error);
    const reused = result.outcomes.filter((o) => o.reused).length;
    const scored = result.outcomes.length - failed.length - reused;
    if (result.outcomes.length === 0) {
      io.err(`checkpoint-coverage score: no checkpoints found in ${result.layout.root}\n`);
      return EXIT_USAGE;
    }
    // Each failure's reason was printed as it happened; the summary only names them.
    io.err(`${result.outcomes.length} checkpoint(s): ${scored} scored in ${result.scoringSeconds.toFixed(1)} s, ${reused} from the store (${result.lookupSeconds.toFixed(2)} s), ${failed.length} failed${failedPaths(failed.map((f) => f.entry.path))}\n`);
    return failed.length ? EXIT_FAILURE : EXIT_OK;
  },
};
