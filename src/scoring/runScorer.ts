// One run's scoring against the store: the key for a checkpoint, whether a valid result is
// stored, scoring through the worker client into the store, and ensureScored over a whole
// run. Shared by the CLI (`score`, `report`, `demo`) and the extension's engine adapter.
import { join } from 'node:path';
import { HashCache } from '../core/hashcache';
import { encodeScoreRecord, type ProviderSetting, type ScoreRecord, type StoreKey } from '../core/store';
import { checkpointContentHash } from '../core/store/contentHash';
import { readStoredScores, scoresDir, writeStoredScores, type StoredLookup } from '../core/store/files';
import type { CheckpointEntry, EvalSample } from '../core/types';
import type { ScoreProgress, WireSample } from '../shared/workerProtocol';
import { DEFAULT_TOKEN_BUDGET } from './batching';
import { ScoreJobError, ScoringWorkerClient, type EvalSetPayload } from './workerClient';

/** Bump when a change alters any stored number: every stored result is then recomputed. */
export const SCORER_VERSION = 'logprob-head-1';

export interface RunScorerOptions {
  runRoot: string;
  evalSet: { file: string; hash: string; samples: readonly EvalSample[] };
  /** Store folder relative to the run (or absolute). Default `.coverage`. */
  storeDir?: string;
  provider?: ProviderSetting;
  tokenBudget?: number;
  /** Shared with the layout scan so files are hashed once. */
  hashCache?: HashCache;
  client?: ScoringWorkerClient;
  log?: (level: 'info' | 'warning', message: string) => void;
}

export interface CheckpointOutcome {
  entry: CheckpointEntry;
  record?: ScoreRecord;
  /** True when the stored result was valid and nothing was computed. */
  reused: boolean;
  error?: string;
}

export interface EnsureScoredResult {
  outcomes: CheckpointOutcome[];
  /** Seconds spent scoring (zero when everything came from the store). */
  scoringSeconds: number;
  /** Seconds spent looking up and validating stored results. */
  lookupSeconds: number;
}

const toWire = (s: EvalSample): WireSample => ({ index: s.index, line: s.line, id: s.id, promptIds: s.promptIds, responseIds: s.responseIds });

export class RunScorer {
  readonly dir: string;
  private readonly hashes: HashCache;
  private readonly client: ScoringWorkerClient;
  private readonly ownsClient: boolean;
  private readonly payload: EvalSetPayload;
  private jobs = 0;

  constructor(private readonly o: RunScorerOptions) {
    this.dir = scoresDir(o.runRoot, o.storeDir);
    this.hashes = o.hashCache ?? new HashCache(join(this.dir, '..', 'hashes.json'));
    this.ownsClient = !o.client;
    this.client = o.client ?? new ScoringWorkerClient({ log: o.log });
    this.payload = { hash: o.evalSet.hash, file: o.evalSet.file, samples: o.evalSet.samples.map(toWire) };
  }

  async key(entry: CheckpointEntry): Promise<StoreKey> {
    return { checkpointHash: await checkpointContentHash(entry, this.hashes), evalSetHash: this.o.evalSet.hash, scorerVersion: SCORER_VERSION };
  }

  /** The stored result for a checkpoint; 'invalid' (damaged, other key) means rescore. */
  async lookup(entry: CheckpointEntry): Promise<StoredLookup> {
    return readStoredScores(this.dir, await this.key(entry));
  }

  /** Scores one checkpoint and stores the result. Rejects with a ScoreJobError. */
  async score(entry: CheckpointEntry, onProgress?: (p: ScoreProgress) => void, signal?: AbortSignal): Promise<ScoreRecord> {
    const key = await this.key(entry);
    const jobId = `${process.pid}-${++this.jobs}`;
    const onAbort = () => this.client.cancel(jobId);
    signal?.addEventListener('abort', onAbort);
    try {
      const r = await this.client.score({
        jobId, checkpointPath: entry.path, modelPath: entry.modelPath, evalSet: this.payload, onProgress,
        options: { provider: this.o.provider ?? 'auto', tokenBudget: this.o.tokenBudget ?? DEFAULT_TOKEN_BUDGET },
      });
      // A checkpoint replaced while it was scored: the numbers belong to neither version.
      const after = await this.key(entry);
      if (after.checkpointHash !== key.checkpointHash) {
        throw new ScoreJobError('error', `${entry.path}: the checkpoint changed while it was being scored; it will be scored again`);
      }
      const record: ScoreRecord = {
        key,
        info: { checkpointPath: entry.path, provider: r.provider, attempts: r.attempts, skipped: r.skipped, seconds: r.seconds, tokens: r.tokens, createdAt: new Date().toISOString() },
        scores: { seqLogprob: r.seqLogprob, tokenCounts: r.tokenCounts, tokenOffsets: r.tokenOffsets, tokenLogprobs: r.tokenLogprobs },
      };
      await writeStoredScores(this.dir, encodeScoreRecord(record), key);
      await this.hashes.save();
      return record;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Every checkpoint with a valid stored result is read back; the others are scored, one at a
   * time. A failing checkpoint is reported in its outcome and the rest go on.
   */
  async ensureScored(entries: readonly CheckpointEntry[], hooks: {
    onStart?: (entry: CheckpointEntry, index: number) => void;
    onProgress?: (entry: CheckpointEntry, p: ScoreProgress) => void;
    onDone?: (outcome: CheckpointOutcome, index: number) => void;
  } = {}): Promise<EnsureScoredResult> {
    const outcomes: CheckpointOutcome[] = [];
    let scoringSeconds = 0;
    let lookupSeconds = 0;
    for (const [i, entry] of entries.entries()) {
      let outcome: CheckpointOutcome;
      const t0 = performance.now();
      try {
        const found = await this.lookup(entry);
        lookupSeconds += (performance.now() - t0) / 1000;
        if (found.status === 'ok') {
          outcome = { entry, record: found.record, reused: true };
        } else {
          if (found.status === 'invalid') this.o.log?.('warning', `${found.file}: ${found.reason}; scoring ${entry.path} again`);
          hooks.onStart?.(entry, i);
          const t1 = performance.now();
          try {
            outcome = { entry, record: await this.score(entry, (p) => hooks.onProgress?.(entry, p)), reused: false };
          } finally {
            scoringSeconds += (performance.now() - t1) / 1000;
          }
        }
      } catch (e) {
        const message = (e as Error).message;
        // Every failure names its checkpoint, also those found before the worker saw it.
        outcome = { entry, reused: false, error: message.startsWith(entry.path) ? message : `${entry.path}: ${message}` };
      }
      outcomes.push(outcome);
      hooks.onDone?.(outcome, i);
    }
    return { outcomes, scoringSeconds, lookupSeconds };
  }

  async dispose(): Promise<void> {
    await this.hashes.save();
    if (this.ownsClient) await this.client.dispose();
  }
}
