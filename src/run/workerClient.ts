// The client side of the scoring worker, shared by the extension host and the CLI (no vscode
// here). The worker, a child process (src/worker/main.ts says why) on IPC with structured-clone
// serialization so typed arrays travel as they are, starts on the first job; jobs run one at a
// time. A worker that dies (native fault, out of memory, killed) fails its job as a crash, and the
// job runs again on a fresh worker after a back-off that grows with consecutive crashes, with half
// the token budget of its largest batch: never twice on one budget, and after running out of memory
// down to one sample per batch (restartPolicy.ts; no other place runs a job again).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ScoreError, asScoreError, scoreErrorData, type ScoreErrorData } from '../core/scoreError';
import { RpcEndpoint, RpcRemoteError } from '../shared/rpc';
import {
  SCORE_ERROR_CODE,
  type ClientToWorkerNotification,
  type ClientToWorkerRequest,
  type ScoreCheckpointResult,
  type ScoreJobOptions,
  type ScoreProgress,
  type EvalSetParams,
  type WorkerToClientNotification,
  type WorkerToClientRequest,
} from '../shared/workerProtocol';
import { modelFormat } from '../core/safetensors';
import { DEFAULT_TOKEN_BUDGET, smallerBudgetFor } from '../scoring/batching';
import { DEFAULT_RESTART_POLICY, RestartPolicy, type WorkerCrashNotice } from './restartPolicy';

export type { WorkerCrashNotice } from './restartPolicy';

export interface ScoreJob {
  jobId: string;
  checkpointPath: string;
  modelPath: string;
  evalSet: EvalSetParams;
  options?: Partial<ScoreJobOptions>;
  onProgress?: (p: ScoreProgress) => void;
  /** Told when the worker dies under this job, besides the client's own onCrash (a shared client tells each job's run). */
  onCrash?: (notice: WorkerCrashNotice) => void;
  /** Aborted while it waits behind other jobs: it is dropped without reaching the worker (cancel() stops a running one). */
  signal?: AbortSignal;
}

export interface WorkerClientOptions {
  /** The worker entry; defaults to dist/worker.js beside the bundle (src/worker/main.ts from sources). */
  workerScript?: string;
  /** V8 heap limit of the worker in MiB (onnxruntime's own memory is outside it). */
  maxHeapMb?: number;
  /** 0: never run a job again after its worker died; 1 (default): see restartPolicy.ts. */
  retries?: number;
  restartBaseMs?: number;
  restartMaxMs?: number;
  log?: (level: 'info' | 'warning', message: string) => void;
  /** Called on every crash; the host shows `message` when `tellUser` (once per crash streak). */
  onCrash?: (notice: WorkerCrashNotice) => void;
  /** Whether onnxruntime's threads may spin waiting for work (default true; never with two workers): not beside an editor. */
  spinning?: boolean;
}

type Endpoint = RpcEndpoint<ClientToWorkerRequest, WorkerToClientRequest, ClientToWorkerNotification, WorkerToClientNotification>;

interface Live {
  worker: ChildProcess;
  rpc: Endpoint;
  evalSetHash?: string;
  /** Settles when the worker is gone, with why (kind 'crashed' or 'out-of-memory'). */
  gone: Promise<ScoreErrorData>;
}

/** How long a broken channel waits for the worker's exit to learn why it went. */
const EXIT_GRACE_MS = 2000;

export function defaultWorkerScript(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', 'worker', 'main.ts') : join(__dirname, 'worker.js');
}

export class ScoringWorkerClient {
  /** Workers alive in this process: with more than one, sessions must not spin. */
  private static live = 0;
  private current: Live | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly policy: RestartPolicy;
  private disposed = false;
  /** stop() is ending the worker: jobs in flight or queued are cancelled, not retried. */
  private stopping = false;
  private readonly progressListeners = new Map<string, (p: ScoreProgress) => void>();
  private readonly died = new WeakSet<ScoreError>();

  constructor(private readonly options: WorkerClientOptions = {}) {
    this.policy = new RestartPolicy({
      baseDelayMs: options.restartBaseMs ?? DEFAULT_RESTART_POLICY.baseDelayMs,
      maxDelayMs: options.restartMaxMs ?? DEFAULT_RESTART_POLICY.maxDelayMs,
      retriesPerJob: options.retries ?? DEFAULT_RESTART_POLICY.retriesPerJob,
    });
  }

  /** The running worker's process id (none before the first job and after it died). */
  get workerPid(): number | undefined {
    return this.current?.worker.pid;
  }

  /** Scores one checkpoint; jobs queue behind each other. Rejects with a ScoreError naming the checkpoint. */
  score(job: ScoreJob): Promise<ScoreCheckpointResult> {
    const run = this.queue.then(() => this.runWithRetry(job));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops a job between batches; its promise rejects with a ScoreError of kind 'cancelled'. */
  cancel(jobId: string): void {
    this.current?.rpc.notify('cancelJobNotification', { jobId });
  }

  /** Kills the worker now (tests use it to simulate a crash mid-job); resolves once it is gone. */
  async terminateWorker(): Promise<void> {
    const live = this.current;
    if (!live) return;
    live.worker.kill('SIGKILL');
    await live.gone;
  }

  /**
   * Ends the worker for now (its users are gone): a job in flight or queued is cancelled, never
   * retried; resolves once they have settled. Unlike dispose(), the next job starts a fresh worker.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.terminateWorker();
      await this.queue;
    } finally {
      this.stopping = false;
    }
  }

  /** Ends the worker; a live worker keeps its process alive until this is called. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.terminateWorker();
  }

  private async runWithRetry(job: ScoreJob): Promise<ScoreCheckpointResult> {
    const format = modelFormat(job.modelPath);
    const tried: number[] = [];
    let budget = job.options?.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
    for (let attempt = 1; ; attempt++) {
      tried.push(budget);
      try {
        const result = await this.runOnce(job, budget);
        this.policy.onSuccess();
        return result;
      } catch (e) {
        const err = asScoreError(e).forCheckpoint(job.checkpointPath);
        // Reported by a live worker: the same input would fail the same way again.
        if (!this.died.has(e as ScoreError)) throw err;
        // Killed by dispose() (the extension closing) or stop(): not a crash to retry or report.
        if (this.disposed || this.stopping)
          throw new ScoreError({
            kind: 'cancelled',
            checkpoint: job.checkpointPath,
            message: `the scoring worker was stopped (${err.message})`,
          });
        const next = smallerBudgetFor(format, job.evalSet.samples, budget);
        const decision = this.policy.onFailure(err.kind, attempt, err.message, { tried, next });
        const retrying = decision.action === 'retry';
        const tellUser = this.policy.shouldTellUser();
        const notice: WorkerCrashNotice = {
          checkpointPath: job.checkpointPath,
          reason: err.message,
          attempt,
          tokenBudget: budget,
          retrying,
          tellUser,
          ...(retrying ? { nextTokenBudget: decision.tokenBudget } : {}),
          message: retrying
            ? `The scoring worker stopped while scoring ${job.checkpointPath} (${err.message}); it restarts and tries again with batches of at most ${decision.tokenBudget} tokens.`
            : `The scoring worker stopped on ${job.checkpointPath} again (${err.message}); it is marked failed and the others go on.`,
        };
        this.options.onCrash?.(notice);
        job.onCrash?.(notice);
        if (decision.action !== 'retry')
          throw new ScoreError({ ...err.data, message: decision.action === 'fail' ? decision.reason : err.message });
        this.options.log?.(
          'warning',
          `${job.checkpointPath}: ${err.message} with a token budget of ${budget}; trying again on a new worker with ${decision.tokenBudget} in ${decision.delayMs} ms`,
        );
        budget = decision.tokenBudget;
        await new Promise((r) => setTimeout(r, decision.delayMs));
      }
    }
  }

  private async runOnce(job: ScoreJob, tokenBudget: number): Promise<ScoreCheckpointResult> {
    if (this.disposed || this.stopping)
      throw new ScoreError({ kind: 'cancelled', checkpoint: job.checkpointPath, message: 'the scoring worker was stopped' });
    if (job.signal?.aborted)
      throw new ScoreError({ kind: 'cancelled', checkpoint: job.checkpointPath, message: 'cancelled before it started' });
    const live = this.current ?? (this.current = this.start());
    const options: ScoreJobOptions = {
      provider: 'auto',
      intraOpThreads: 0,
      ...job.options,
      tokenBudget,
      // Decided here, not by the caller: only this client knows how many workers share the machine's cores.
      allowSpinning: job.options?.allowSpinning ?? ((this.options.spinning ?? true) && ScoringWorkerClient.live <= 1),
    };
    if (job.onProgress) this.progressListeners.set(job.jobId, job.onProgress);
    const work = (async () => {
      if (live.evalSetHash !== job.evalSet.hash) {
        await live.rpc.request('loadEvalSetRequest', job.evalSet, 0);
        live.evalSetHash = job.evalSet.hash;
      }
      return live.rpc.request(
        'scoreCheckpointRequest',
        { jobId: job.jobId, checkpointPath: job.checkpointPath, modelPath: job.modelPath, evalSetHash: job.evalSet.hash, options },
        0,
      );
    })();
    try {
      // A dead worker never answers: its exit settles the race instead.
      return await Promise.race([work, live.gone.then((why) => Promise.reject(this.death(why)))]);
    } catch (e) {
      if (e instanceof ScoreError) throw e;
      if (e instanceof RpcRemoteError) {
        // The worker answered: its failure travels as data; the same input would fail the same way again.
        const data = e.code === SCORE_ERROR_CODE ? scoreErrorData(e.data) : undefined;
        throw new ScoreError(data ?? { kind: 'internal', message: e.message });
      }
      // The channel broke under the request because the worker is going away: its exit says why
      // (out of memory or not), and may be reported a moment after the channel closed.
      const why = await Promise.race([live.gone, new Promise<undefined>((r) => setTimeout(() => r(undefined), EXIT_GRACE_MS))]);
      throw this.death(why ?? { kind: 'crashed', message: (e as Error).message });
    } finally {
      this.progressListeners.delete(job.jobId);
      work.catch(() => undefined);
    }
  }

  /** A failure because the worker died under the job (retryable), as opposed to one it reported. */
  private death(why: ScoreErrorData): ScoreError {
    const e = new ScoreError(why);
    this.died.add(e);
    return e;
  }

  private start(): Live {
    const script = this.options.workerScript ?? defaultWorkerScript();
    const execArgv = [
      // Running from sources (tests): the worker loads its TypeScript entry through tsx.
      ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
      ...(this.options.maxHeapMb ? [`--max-old-space-size=${this.options.maxHeapMb}`] : []),
    ];
    // stdout stays clean (the CLI may print JSON there); stderr (Dawn's warnings) goes to the log.
    const worker = fork(script, [], { serialization: 'advanced', execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    ScoringWorkerClient.live++;
    // The end of stderr tells an out-of-memory abort (V8 prints why) from other deaths.
    let stderrTail = '';
    worker.stderr?.setEncoding('utf8').on('data', (t: string) => {
      stderrTail = (stderrTail + t).slice(-4096);
      for (const line of t.split('\n')) if (line.trim()) this.options.log?.('info', `worker: ${line}`);
    });
    const rpc: Endpoint = new RpcEndpoint(
      (wire) => {
        if (!worker.connected) throw new Error('the scoring worker is not running');
        worker.send(wire);
      },
      {
        timeoutMs: 0,
        onError: (m) => this.options.log?.('warning', `worker channel: ${m}`),
      },
    );
    rpc.onNotification('scoreProgressNotification', (p) => this.progressListeners.get(p.jobId)?.(p));
    rpc.onNotification('workerLogNotification', ({ level, message }) => this.options.log?.(level, message));
    worker.on('message', (m: unknown) => rpc.receive(m));
    let spawnError: Error | undefined;
    worker.on('error', (e) => (spawnError = e));
    const gone = new Promise<ScoreErrorData>((resolve) => {
      worker.once('exit', (code, signal) => {
        ScoringWorkerClient.live--;
        if (this.current?.worker === worker) this.current = undefined;
        const heap = this.options.maxHeapMb ? `its JavaScript heap limit of ${this.options.maxHeapMb} MiB` : 'its JavaScript heap limit';
        // V8 says why it aborted only on stderr: its fatal out-of-memory line is the one sign.
        const heapOut = stderrTail.includes('heap out of memory') || stderrTail.includes('allocation failed');
        const why: ScoreErrorData = spawnError
          ? { kind: 'crashed', message: `the scoring worker failed: ${spawnError.message}` }
          : heapOut
            ? { kind: 'out-of-memory', message: `the scoring worker ran out of memory (${heap})` }
            : // The Linux out-of-memory killer sends SIGKILL; nothing else here does, short of a user's kill -9.
              signal === 'SIGKILL'
              ? { kind: 'out-of-memory', message: 'the scoring worker was killed (SIGKILL, possibly out of memory)' }
              : signal
                ? { kind: 'crashed', message: `the scoring worker was killed (${signal})` }
                : code === 134
                  ? { kind: 'crashed', message: 'the scoring worker aborted (out of memory or a native fault)' }
                  : { kind: 'crashed', message: `the scoring worker exited (code ${code})` };
        rpc.dispose(why.message);
        resolve(why);
      });
    });
    return { worker, rpc, gone };
  }
}
