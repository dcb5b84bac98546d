// The client side of the scoring worker, shared by the extension host and the CLI (no vscode
// here). The worker starts on the first job; jobs run one at a time; a worker that dies
// (native fault, out of memory, killed) fails its job as a crash, and the job is retried
// once on a fresh worker started after a back-off that grows with consecutive crashes.
// The worker is a child process (see src/worker/main.ts for why), talking over IPC with
// structured-clone serialization so typed arrays travel as they are.
import { fork, type ChildProcess } from 'node:child_process';
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
  /** V8 heap limit of the worker in MiB (onnxruntime's own memory is outside it). */
  maxHeapMb?: number;
  /** Retries of a job after the worker died (the issue asks for one). */
  retries?: number;
  restartBaseMs?: number;
  restartMaxMs?: number;
  log?: (level: 'info' | 'warning', message: string) => void;
}

type Endpoint = RpcEndpoint<ClientToWorkerRequest, WorkerToClientRequest, ClientToWorkerNotification, WorkerToClientNotification>;

interface Live {
  worker: ChildProcess;
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

  /** Kills the worker now (tests use it to simulate a crash mid-job); resolves once it is gone. */
  async terminateWorker(): Promise<void> {
    const live = this.current;
    if (!live) return;
    live.worker.kill('SIGKILL');
    await live.gone;
  }

  /** Ends the worker; a live worker keeps its process alive until this is called. */
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
      work.catch(() => undefined);
    }
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
    worker.stderr?.setEncoding('utf8').on('data', (t: string) => {
      for (const line of t.split('\n')) if (line.trim()) this.options.log?.('info', `worker: ${line}`);
    });
    const rpc: Endpoint = new RpcEndpoint((wire) => {
      if (!worker.connected) throw new Error('the scoring worker is not running');
      worker.send(wire);
    }, {
      timeoutMs: 0,
      onError: (m) => this.options.log?.('warning', `worker channel: ${m}`),
    });
    rpc.onNotification('scoreProgressNotification', (p) => this.progressListeners.get(p.jobId)?.(p));
    rpc.onNotification('workerLogNotification', ({ level, message }) => this.options.log?.(level, message));
    worker.on('message', (m: unknown) => rpc.receive(m));
    let spawnError: Error | undefined;
    worker.on('error', (e) => (spawnError = e));
    const gone = new Promise<string>((resolve) => {
      worker.once('exit', (code, signal) => {
        ScoringWorkerClient.live--;
        if (this.current?.worker === worker) this.current = undefined;
        const why = spawnError ? `the scoring worker failed: ${spawnError.message}`
          : signal ? `the scoring worker was killed (${signal}${signal === 'SIGKILL' ? ', possibly out of memory' : ''})`
          : code === 134 ? 'the scoring worker aborted (out of memory or a native fault)'
          : `the scoring worker exited (code ${code})`;
        rpc.dispose(why);
        resolve(why);
      });
    });
    return { worker, rpc, gone };
  }
}
