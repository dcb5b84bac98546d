// One run's scoring against the store: the key for a checkpoint, whether a valid result is
// stored, scoring through the worker client into the store, and ensureScored over a whole
// run. The Run (openRun.ts) holds one for the CLI's commands and the extension alike.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HashCache } from '../core/hashcache';
import { fsErrorCode } from '../core/paths';
import { encodeScoreRecord, storeFileName, type ProviderSetting, type ScoreRecord, type StoreKey } from '../core/store';
import { describeHolder, locksDir, tryClaim, waitForRelease, type ClaimOptions } from '../core/store/claims';
import { checkpointContentHash } from '../core/store/contentHash';
import {
  readStoredScores,
  removeStaleTemps,
  scoresDir,
  writeStoredScores,
  type StoredLookup,
  type StoreWriteIO,
} from '../core/store/files';
import type { CheckpointEntry, EvalSample } from '../core/types';
import { ScoreError, checkpointError } from '../core/scoreError';
import type { EvalSetParams, ScoreProgress, WireSample } from '../shared/workerProtocol';
import { DEFAULT_TOKEN_BUDGET } from '../scoring/batching';
import { ScoringWorkerClient, type WorkerCrashNotice } from './workerClient';

/** Bump when a change alters any stored number: every stored result is then recomputed. */
export const SCORER_VERSION = 'logprob-head-1';

export interface RunScorerOptions {
  runRoot: string;
  evalSet: { file: string; hash: string; samples: readonly EvalSample[] };
  /** Store folder relative to the run (or absolute). Default `.coverage`. */
  storeDir?: string;
  provider?: ProviderSetting;
  tokenBudget?: number;
  /** onnxruntime intra-op threads in the worker; 0 or absent: onnxruntime's choice. */
  threads?: number;
  /** Cross-process claims on store keys (timings; tests shorten them). */
  claims?: ClaimOptions;
  /** File operations of store writes (tests simulate a full disk). */
  storeIO?: StoreWriteIO;
  /** Shared with the layout scan so files are hashed once. */
  hashCache?: HashCache;
  client?: ScoringWorkerClient;
  /** The worker died under one of this scorer's jobs (with a shared client, only this run's are told here). */
  onCrash?: (notice: WorkerCrashNotice) => void;
  log?: (level: 'info' | 'warning', message: string) => void;
}

export interface CheckpointOutcome {
  entry: CheckpointEntry;
  record?: ScoreRecord;
  /** True when the stored result was valid and nothing was computed. */
  reused: boolean;
  /** Why it has no scores (its `checkpoint` is the entry's path). */
  failure?: ScoreError;
}

/** What ensureScored reports while it works (a progress bar, a log). */
export interface EnsureScoredHooks {
  onStart?: (entry: CheckpointEntry, index: number) => void;
  onProgress?: (entry: CheckpointEntry, p: ScoreProgress) => void;
  onDone?: (outcome: CheckpointOutcome, index: number) => void;
}

export interface EnsureScoredResult {
  outcomes: CheckpointOutcome[];
  /** Seconds spent scoring (zero when everything came from the store). */
  scoringSeconds: number;
  /** Seconds spent looking up and validating stored results. */
  lookupSeconds: number;
}

const toWire = ({ index, line, id, promptIds, responseIds }: EvalSample): WireSample => ({ index, line, id, promptIds, responseIds });

export class RunScorer {
  readonly dir: string;
  private readonly hashes: HashCache;
  private readonly client: ScoringWorkerClient;
  private readonly ownsClient: boolean;
  private readonly payload: EvalSetParams;
  private readonly locks: string;
  private jobs = 0;

  constructor(private readonly o: RunScorerOptions) {
    this.dir = scoresDir(o.runRoot, o.storeDir);
    this.locks = locksDir(this.dir);
    // Without the caller's cache (which HashCache.forStore loads), hash in memory only: a cache
    // file this scorer never read would be overwritten with just its own entries.
    this.hashes = o.hashCache ?? new HashCache();
    this.ownsClient = !o.client;
    this.client = o.client ?? new ScoringWorkerClient({ log: o.log });
    this.payload = { hash: o.evalSet.hash, file: o.evalSet.file, samples: o.evalSet.samples.map(toWire) };
  }

  async key(entry: CheckpointEntry): Promise<StoreKey> {
    return {
      checkpointHash: await checkpointContentHash(entry, this.hashes),
      evalSetHash: this.o.evalSet.hash,
      scorerVersion: SCORER_VERSION,
    };
  }

  /** The stored result for a checkpoint; 'invalid' (damaged, other key) means rescore. */
  async lookup(entry: CheckpointEntry): Promise<StoredLookup> {
    return readStoredScores(this.dir, await this.key(entry));
  }

  /**
   * Scores one checkpoint and stores the result; when another scorer (window, CLI, machine)
   * holds the checkpoint's claim, waits for its result instead. Rejects with a ScoreError naming the checkpoint.
   */
  async score(entry: CheckpointEntry, onProgress?: (p: ScoreProgress) => void, signal?: AbortSignal): Promise<ScoreRecord> {
    try {
      const r = await this.scoreOrWait(entry, onProgress, signal, true);
      return (r as { record: ScoreRecord }).record;
    } catch (e) {
      throw checkpointError(e, entry);
    }
  }

  /** `wait` false: 'busy' when another scorer holds the claim (ensureScored comes back later). */
  private async scoreOrWait(
    entry: CheckpointEntry,
    onProgress: ((p: ScoreProgress) => void) | undefined,
    signal: AbortSignal | undefined,
    wait: boolean,
  ): Promise<{ record: ScoreRecord; reused: boolean } | 'busy'> {
    const key = await this.key(entry);
    const name = storeFileName(key);
    for (;;) {
      const attempt = await tryClaim(this.locks, name, this.o.claims, entry.path);
      if (attempt.claimed) {
        try {
          // Another scorer may have stored it between our lookup and our claim.
          const found = await readStoredScores(this.dir, key);
          if (found.status === 'ok') return { record: found.record, reused: true };
          return { record: await this.compute(entry, key, onProgress, signal), reused: false };
        } finally {
          await attempt.claim.release();
        }
      }
      if (!wait) return 'busy';
      this.o.log?.('info', `${entry.path}: being scored by ${describeHolder(attempt.holder)}; waiting for its result`);
      try {
        await waitForRelease(this.locks, name, this.o.claims, signal);
      } catch (e) {
        throw new ScoreError({ kind: 'cancelled', message: (e as Error).message });
      }
      const found = await readStoredScores(this.dir, key);
      if (found.status === 'ok') return { record: found.record, reused: true };
      // The holder failed or stopped without a result: claim it ourselves.
    }
  }

  private async compute(
    entry: CheckpointEntry,
    key: StoreKey,
    onProgress: ((p: ScoreProgress) => void) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ScoreRecord> {
    if (signal?.aborted) throw new ScoreError({ kind: 'cancelled', message: 'cancelled before it started' });
    const jobId = `${process.pid}-${++this.jobs}`;
    const onAbort = () => this.client.cancel(jobId);
    signal?.addEventListener('abort', onAbort);
    try {
      const r = await this.client.score({
        jobId,
        checkpointPath: entry.path,
        modelPath: entry.modelPath,
        evalSet: this.payload,
        onProgress,
        onCrash: this.o.onCrash,
        signal,
        options: {
          provider: this.o.provider ?? 'auto',
          tokenBudget: this.o.tokenBudget ?? DEFAULT_TOKEN_BUDGET,
          intraOpThreads: this.o.threads ?? 0,
        },
      });
      // A checkpoint replaced or deleted while it was scored: the numbers may belong to neither version.
      let after: StoreKey;
      try {
        after = await this.key(entry);
      } catch (e) {
        const why = checkpointError(e, entry).message;
        throw new ScoreError({
          kind: 'deleted',
          message: `the checkpoint was deleted or became unreadable while it was being scored; nothing was stored (${why})`,
        });
      }
      if (after.checkpointHash !== key.checkpointHash) {
        throw new ScoreError({
          kind: 'changed',
          message: 'the checkpoint changed while it was being scored; nothing was stored, and it will be scored again',
        });
      }
      const record: ScoreRecord = {
        key,
        info: {
          checkpointPath: entry.path,
          provider: r.provider,
          attempts: r.attempts,
          skipped: r.skipped,
          seconds: r.seconds,
          tokens: r.tokens,
          createdAt: new Date().toISOString(),
        },
        scores: { seqLogprob: r.seqLogprob, tokenCounts: r.tokenCounts, tokenOffsets: r.tokenOffsets, tokenLogprobs: r.tokenLogprobs },
      };
      try {
        await writeStoredScores(this.dir, encodeScoreRecord(record), key, this.o.storeIO);
      } catch (e) {
        throw new ScoreError({ kind: 'store', file: this.dir, message: (e as Error).message });
      }
      await this.hashes.save();
      return record;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Every checkpoint with a valid stored result is read back; the others are scored, one at a
   * time. A failing checkpoint is reported in its outcome and the rest go on. Checkpoints
   * another scorer is working on are left for last, then their results are awaited, so
   * scorers sharing a store split the work instead of repeating it.
   */
  async ensureScored(entries: readonly CheckpointEntry[], hooks: EnsureScoredHooks = {}): Promise<EnsureScoredResult> {
    const outcomes: CheckpointOutcome[] = new Array(entries.length);
    const times = { scoringSeconds: 0, lookupSeconds: 0 };
    const old = await removeStaleTemps(this.dir);
    if (old.length) this.o.log?.('info', `removed ${old.length} temp file(s) of interrupted writes in ${this.dir}`);
    const busy: number[] = [];
    for (const [i, entry] of entries.entries()) {
      const outcome = await this.ensureOne(entry, i, false, hooks, times);
      if (outcome) {
        outcomes[i] = outcome;
        hooks.onDone?.(outcome, i);
      } else busy.push(i);
    }
    for (const i of busy) {
      const outcome = (await this.ensureOne(entries[i], i, true, hooks, times))!;
      outcomes[i] = outcome;
      hooks.onDone?.(outcome, i);
    }
    return { outcomes, ...times };
  }

  /** One checkpoint of ensureScored; undefined when `wait` is false and another scorer holds it. */
  private async ensureOne(
    entry: CheckpointEntry,
    i: number,
    wait: boolean,
    hooks: EnsureScoredHooks,
    times: { scoringSeconds: number; lookupSeconds: number },
  ): Promise<CheckpointOutcome | undefined> {
    const t0 = performance.now();
    try {
      const found = await this.lookup(entry);
      times.lookupSeconds += (performance.now() - t0) / 1000;
      if (found.status === 'ok') return { entry, record: found.record, reused: true };
      if (found.status === 'invalid' && !wait) this.o.log?.('warning', `${found.file}: ${found.reason}; scoring ${entry.path} again`);
      hooks.onStart?.(entry, i);
      const t1 = performance.now();
      try {
        const r = await this.scoreOrWait(entry, (p) => hooks.onProgress?.(entry, p), undefined, wait);
        return r === 'busy' ? undefined : { entry, record: r.record, reused: r.reused };
      } finally {
        times.scoringSeconds += (performance.now() - t1) / 1000;
      }
    } catch (e) {
      // Failures found before the worker saw the checkpoint (an unreadable file) get its name too.
      return { entry, reused: false, failure: checkpointError(e, entry) };
    }
  }

  /**
   * Removes a checkpoint's stored scores so the next score() recomputes them (Rescore). Nothing
   * stored is fine; a file that cannot be removed is a 'store' failure, since it would be read
   * back as the "new" scores.
   */
  async forget(entry: CheckpointEntry): Promise<void> {
    const file = join(this.dir, storeFileName(await this.key(entry)));
    await unlink(file).catch((e: unknown) => {
      const code = fsErrorCode(e);
      if (code !== 'ENOENT')
        throw new ScoreError({ kind: 'store', checkpoint: entry.path, file, message: `cannot remove the stored scores ${file} (${code})` });
    });
  }

  async dispose(): Promise<void> {
    await this.hashes.save();
    if (this.ownsClient) await this.client.dispose();
  }
}
