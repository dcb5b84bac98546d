// The one way to open a run: coverage.json with the front end's overrides, the eval set
// (tokenized when the run names a tokenizer), the run's hash cache, the layout scan, and a scorer
// over the store. The CLI's commands and the extension's engine all start here; none of them
// reads settings, scans or loads on its own.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEvalSet, type EvalSet } from '../core/evalset';
import { HashCache } from '../core/hashcache';
import { referenceEntry, scanRun, type RunLayout } from '../core/layout';
import type { ReferenceSetting } from '../core/metrics';
import { fsErrorCode } from '../core/paths';
import { chooseReference, loadConfig, type RunConfig } from '../core/runConfig';
import type { ScoreRecord } from '../core/store';
import { readClaims } from '../core/store/claims';
import { scoresDir } from '../core/store/files';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import type { CheckpointEntry } from '../core/types';
import type { ScoringElsewhere } from '../shared/protocol';
import type { RunOptions } from './options';
import { RunScorer, type EnsureScoredHooks, type EnsureScoredResult } from './runScorer';
import { ScoringWorkerClient } from './workerClient';

/** coverage.json under the overrides; a missing run folder or a file in its place is named. */
export async function readRunConfig(root: string, options: Pick<RunOptions, 'allowOutside' | 'overrides'> = {}): Promise<RunConfig> {
  const st = await stat(root).catch((e: unknown) => {
    throw new Error(`${root}: cannot read the run folder (${fsErrorCode(e)})`);
  });
  if (!st.isDirectory()) throw new Error(`${root}: expected a run folder, found a file`);
  return loadConfig(root, { allowOutside: options.allowOutside, overrides: options.overrides });
}

/** The eval set the config names, tokenized with the run's tokenizer when it has one. */
export async function readEvalSet(config: RunConfig): Promise<{ evalSet: EvalSet; tokenizer?: TextTokenizer }> {
  const tokenizer = config.tokenizer ? await loadTokenizer(config.tokenizer) : undefined;
  const evalSet = await loadEvalSet(config.eval, { tokenizer });
  return tokenizer ? { evalSet, tokenizer } : { evalSet };
}

/** The layout scan as every front end runs it: the store is skipped, hashes come from the run's cache. */
export function scanLayout(root: string, config: RunConfig, hashCache: HashCache, settleMs?: number): Promise<RunLayout> {
  return scanRun(root, { storeDir: config.store, hashCache, settleMs });
}

/**
 * The run's settings and layout without its eval set: what a listing or a submitter needs
 * (duplicates are found with the run's hash cache, like everywhere else).
 */
export async function scanRunFolder(
  root: string,
  options: Pick<RunOptions, 'allowOutside' | 'overrides' | 'settleMs'> = {},
): Promise<{ config: RunConfig; layout: RunLayout }> {
  const config = await readRunConfig(root, options);
  const hashCache = await HashCache.forStore(config.store);
  const layout = await scanLayout(root, config, hashCache, options.settleMs);
  await hashCache.save();
  return { config, layout };
}

/**
 * A folder's nested runs (subfolders with their own coverage.json or eval.jsonl, as the layout
 * scan finds them), absolute, and how many checkpoints it holds itself: what a sweep folder
 * offers. Reads only: no hashing, no hash cache written into the folder.
 */
export async function nestedRunsOf(
  root: string,
  options: Pick<RunOptions, 'allowOutside' | 'overrides'> = {},
): Promise<{ runs: string[]; checkpoints: number }> {
  const config = await readRunConfig(root, options);
  const layout = await scanRun(root, { storeDir: config.store, skipDuplicates: true, settleMs: 0 });
  return { runs: layout.nestedRuns.map((n) => join(root, n)), checkpoints: layout.checkpoints.length };
}

/**
 * Checkpoints another live process is scoring into the run's store, by run-relative path, read
 * from the store's claims (this process's own are left out).
 */
export async function scoringElsewhere(root: string, config: RunConfig): Promise<Map<string, ScoringElsewhere>> {
  const out = new Map<string, ScoringElsewhere>();
  for (const c of await readClaims(scoresDir(root, config.store))) {
    const h = c.holder;
    if (!c.live || !h?.checkpoint || (h.pid === process.pid && h.host === hostname())) continue;
    // To the second: the milliseconds of a start time say nothing to a reader.
    out.set(h.checkpoint, { host: h.host, pid: h.pid, since: h.startedAt.replace(/\.\d+Z$/, 'Z') });
  }
  return out;
}

/** Reads the run's settings and eval set; rejects naming the file when the run cannot be used. */
export async function openRun(rootIn: string, options: RunOptions = {}): Promise<Run> {
  const root = resolve(rootIn);
  const config = await readRunConfig(root, options);
  // A missing reference model fails now, before any checkpoint is scored.
  if (typeof config.reference === 'object') await checkReferenceModel(config.reference.model);
  const { evalSet, tokenizer } = await readEvalSet(config);
  // The run's own hashes.json, shared by every front end: nothing is rehashed that did not change.
  const hashCache = await HashCache.forStore(config.store);
  return new Run(root, config, evalSet, tokenizer, hashCache, options);
}

/** Scores of the reference model (model mode), and whether they came from the store. */
export interface ReferenceScores {
  path: string;
  record: ScoreRecord;
  reused: boolean;
}

export class Run {
  /** The reference the report measures against: coverage.json's (or the overrides'), else chosen from the eval set. */
  readonly reference: ReferenceSetting;
  private scorerInstance: RunScorer | undefined;
  private client: ScoringWorkerClient | undefined;

  constructor(
    readonly root: string,
    readonly config: RunConfig,
    readonly evalSet: EvalSet,
    readonly tokenizer: TextTokenizer | undefined,
    readonly hashCache: HashCache,
    private readonly options: RunOptions,
  ) {
    this.reference = chooseReference(config, evalSet.samples);
  }

  /** The checkpoints, files still being written, problems, nested runs. */
  scan(): Promise<RunLayout> {
    return scanLayout(this.root, this.config, this.hashCache, this.options.settleMs);
  }

  /** Scoring against the store through the run's worker (started on the first job). */
  get scorer(): RunScorer {
    if (!this.scorerInstance) {
      const o = this.options;
      // A shared client is the caller's to end; a crash is told to the run whose job it was.
      if (!o.client) this.client = new ScoringWorkerClient({ workerScript: o.workerScript, log: o.log });
      this.scorerInstance = new RunScorer({
        runRoot: this.root,
        evalSet: this.evalSet,
        storeDir: this.config.store,
        hashCache: this.hashCache,
        client: o.client ?? this.client,
        onCrash: o.onWorkerCrash,
        log: o.log,
        ...o.scoring,
      });
    }
    return this.scorerInstance;
  }

  /** Every checkpoint's stored result, scoring what the store lacks (see RunScorer.ensureScored). */
  ensureScored(entries: readonly CheckpointEntry[], hooks?: EnsureScoredHooks): Promise<EnsureScoredResult> {
    return this.scorer.ensureScored(entries, hooks);
  }

  /**
   * Checkpoints another live process (a CLI, a cluster task, another window) is scoring into
   * this run's store now, by run-relative path; this process's own claims are left out.
   */
  elsewhere(): Promise<Map<string, ScoringElsewhere>> {
    return scoringElsewhere(this.root, this.config);
  }

  /**
   * The reference model's scores in model mode (undefined otherwise). It is scored by the same
   * engine into the same store as a checkpoint, so its scores are reused like theirs; when it is
   * one of the run's checkpoints (the final one, say), `known` gives that checkpoint's record.
   */
  async referenceScores(known?: (modelPath: string) => ScoreRecord | undefined): Promise<ReferenceScores | undefined> {
    if (typeof this.reference !== 'object') return undefined;
    const entry = await referenceEntry(this.root, this.reference.model);
    const own = known?.(entry.modelPath);
    if (own) return { path: entry.path, record: own, reused: true };
    const found = await this.scorer.lookup(entry);
    if (found.status === 'ok') return { path: entry.path, record: found.record, reused: true };
    return { path: entry.path, record: await this.scorer.score(entry), reused: false };
  }

  /**
   * Ends the worker (a job in flight is cancelled, nothing half is stored) and saves the hash
   * cache; resolves once the worker is gone. Never rejects: front ends close runs while they shut
   * down, where a rejection would go unhandled, so each failure is logged.
   */
  async dispose(): Promise<void> {
    const logged = (what: string) => (e: unknown) =>
      this.options.log?.('warning', `${what}: ${e instanceof Error ? e.message : String(e)}`);
    await Promise.all([
      this.client?.dispose().catch(logged('cannot stop the scoring worker')),
      (this.scorerInstance?.dispose() ?? this.hashCache.save()).catch(logged('cannot save the hash cache')),
    ]);
  }
}

async function checkReferenceModel(model: string): Promise<void> {
  const st = await stat(model).catch((e: unknown) => {
    throw new Error(`reference model ${model}: cannot read (${fsErrorCode(e)})`);
  });
  if (!st.isFile()) throw new Error(`reference model ${model}: expected a model file, found a folder`);
}
