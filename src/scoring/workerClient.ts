// The client side of the scoring worker, shared by the extension host and the CLI (no vscode
// here). The worker starts on the first job; jobs run one at a time; a worker that dies
// (native fault, out of memory, terminated) fails its job as a crash, and the job is retried
// once on a fresh worker started after a back-off that grows with consecutive crashes.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { join } from 'node:path';
import { RpcEndpoint, RpcRemoteError } from '../shared/rpc';
import {
  CANCELLED_PREFIX,
  type ClientToWorkerNotification, type ClientToWorkerRequest, type ScoreCheckpointResult, type ScoreJobOptions,
  type ScoreProgress, type WireSample, type WorkerToClientNotification, type WorkerToClientRequest,
} from '../shared/workerProtocol';
import { DEFAULT_TOKEN_BUDGET } from './batching';

export type JobFailureKind = 'crash' | 'error' | 'cancelled';

/** A job that did not produce scores; `kind` says whether retrying could help. */
export class ScoreJobError extends Error {
  constructor(readonly kind: JobFailureKind, message: string) {
    super(message);
    this.name = 'ScoreJobError';
  }
}

export interface EvalSetPayload { hash: string; file: string; samples: WireSample[] }

export interface ScoreJob {
  jobId: string;
  checkpointPath: string;
  modelPath: string;
  evalSet: EvalSetPayload;
  options?: Partial<ScoreJobOptions>;
  onProgress?: (p: ScoreProgress) => void;
}

export interface WorkerClientOptions {
  /** The worker entry; defaults to dist/worker.js beside the bundle (src/worker/main.ts from sources). */
  workerScript?: string;
  resourceLimits?: ResourceLimits;
  /** Retries of a job after the worker died (the issue asks for one). */
  retries?: number;
  restartBaseMs?: number;
  restartMaxMs?: number;
  log?: (level: 'info' | 'warning', message: string) => void;
}

type Endpoint = RpcEndpoint<ClientToWorkerRequest, WorkerToClientRequest, ClientToWorkerNotification, WorkerToClientNotification>;

interface Live {
  worker: Worker;
  rpc: Endpoint;
  evalSetHash?: string;
  /** Settles when the worker is gone, with why. */
  gone: Promise<string>;
}

export function defaultWorkerScript(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', 'worker', 'main.ts') : join(__dirname, 'worker.js');
}

export class ScoringWorkerClient {
  /** Workers alive in this process: with more than one, sessions must not spin. */
  private static live = 0;
  private current: Live | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private crashStreak = 0;
  private disposed = false;
  private readonly progressListeners = new Map<string, (p: ScoreProgress) => void>();

  constructor(private readonly options: WorkerClientOptions = {}) {}

  /** Scores one checkpoint; jobs queue behind each other. Rejects with a ScoreJobError. */
  score(job: ScoreJob): Promise<ScoreCheckpointResult> {
    const run = this.queue.then(() => this.runWithRetry(job));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops a job between batches; its promise rejects with kind 'cancelled'. */
  cancel(jobId: string): void {
    this.current?.rpc.notify('cancelJobNotification', { jobId });
  }

  /** Ends the worker now (tests use it to simulate a crash mid-job). */
  async terminateWorker(): Promise<void> {
    await this.current?.worker.terminate();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.terminateWorker();
  }

  private async runWithRetry(job: ScoreJob): Promise<ScoreCheckpointResult> {
    const retries = this.options.retries ?? 1;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.runOnce(job);
        this.crashStreak = 0;
        return result;
      } catch (e) {
        const err = e instanceof ScoreJobError ? e : new ScoreJobError('error', (e as Error).message);
        if (err.kind !== 'crash' || attempt >= retries || this.disposed) throw err;
        this.crashStreak++;
        const delay = Math.min(this.options.restartMaxMs ?? 30_000, (this.options.restartBaseMs ?? 500) * 2 ** (this.crashStreak - 1));
        this.options.log?.('warning', `${job.checkpointPath}: ${err.message}; retrying on a new worker in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async runOnce(job: ScoreJob): Promise<ScoreCheckpointResult> {
    if (this.disposed) throw new ScoreJobError('cancelled', `${CANCELLED_PREFIX}: the scoring client was disposed`);
    const live = this.current ?? (this.current = this.start());
    const options: ScoreJobOptions = {
      provider: 'auto', tokenBudget: DEFAULT_TOKEN_BUDGET, intraOpThreads: 0,
      allowSpinning: ScoringWorkerClient.live <= 1,
      ...job.options,
    };
    if (job.onProgress) this.progressListeners.set(job.jobId, job.onProgress);
    live.worker.ref();
    const work = (async () => {
      if (live.evalSetHash !== job.evalSet.hash) {
        await live.rpc.request('loadEvalSetRequest', job.evalSet, 0);
        live.evalSetHash = job.evalSet.hash;
      }
      return live.rpc.request('scoreCheckpointRequest', { jobId: job.jobId, checkpointPath: job.checkpointPath, modelPath: job.modelPath, evalSetHash: job.evalSet.hash, options }, 0);
    })();
    try {
      // A dead worker never answers: its exit settles the race instead.
      return await Promise.race([work, live.gone.then((why) => Promise.reject(new ScoreJobError('crash', why)))]);
    } catch (e) {
      if (e instanceof ScoreJobError) throw e;
      const message = (e as Error).message;
      if (message.startsWith(CANCELLED_PREFIX)) throw new ScoreJobError('cancelled', message);
      // The worker answered with an error: the same input would fail the same way again.
      if (e instanceof RpcRemoteError) throw new ScoreJobError('error', message);
      throw new ScoreJobError('crash', message);
    } finally {
      this.progressListeners.delete(job.jobId);
      live.worker.unref();
      work.catch(() => undefined);
    }
  }

  private start(): Live {
    const script = this.options.workerScript ?? defaultWorkerScript();
    // Running from sources (tests): the worker loads the TypeScript entry through tsx.
    const worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, resourceLimits: this.options.resourceLimits })
      : new Worker(script, { resourceLimits: this.options.resourceLimits });
    ScoringWorkerClient.live++;
    // An idle worker must not keep a CLI alive; runOnce holds a reference while a job runs.
    worker.unref();
    const rpc: Endpoint = new RpcEndpoint((wire) => worker.postMessage(wire), {
      timeoutMs: 0,
      onError: (m) => this.options.log?.('warning', `worker channel: ${m}`),
    });
    rpc.onNotification('scoreProgressNotification', (p) => this.progressListeners.get(p.jobId)?.(p));
    rpc.onNotification('workerLogNotification', ({ level, message }) => this.options.log?.(level, message));
    worker.on('message', (m: unknown) => rpc.receive(m));
    let lastError: Error | undefined;
    worker.on('error', (e) => (lastError = e));
    const gone = new Promise<string>((resolve) => {
      worker.once('exit', (code) => {
        ScoringWorkerClient.live--;
        if (this.current?.worker === worker) this.current = undefined;
        const oom = (lastError as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        const why = oom ? 'the scoring worker ran out of memory' : lastError ? `the scoring worker failed: ${lastError.message}` : `the scoring worker exited (code ${code})`;
        rpc.dispose(why);
        resolve(why);
      });
    });
    return { worker, rpc, gone };
  }
}
