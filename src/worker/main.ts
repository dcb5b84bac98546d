// The scoring worker's entry: owns the ONNX sessions, so session.run (which blocks its thread
// for a whole batch) never blocks the extension host or the CLI's progress output. One job at a
// time; a cancel is seen between batches. It runs as a child process, not a worker thread: a
// native abort in onnxruntime (seen when a thread is terminated mid-run) would otherwise take
// the whole extension host down with it.
import { existsSync } from 'node:fs';
import { RequestFailure, RpcEndpoint } from '../shared/rpc';
import {
  SCORE_ERROR_CODE,
  type ClientToWorkerNotification,
  type ClientToWorkerRequest,
  type EvalSetParams,
  type WorkerToClientNotification,
  type WorkerToClientRequest,
} from '../shared/workerProtocol';
import { checkpointError } from '../core/scoreError';
import { scoreModel } from '../scoring/scorer';

const send = process.send?.bind(process);
if (!send) throw new Error('src/worker/main.ts must run as a child process with an IPC channel');

const rpc = new RpcEndpoint<WorkerToClientRequest, ClientToWorkerRequest, WorkerToClientNotification, ClientToWorkerNotification>(
  (wire) => send(wire),
  { timeoutMs: 0, onError: (message) => rpc.notify('workerLogNotification', { level: 'warning', message }) },
);
process.on('message', (m: unknown) => rpc.receive(m));
// The client went away (closed, crashed): nothing would read our results.
process.on('disconnect', () => process.exit(0));

/**
 * Tests only: the checkpoint (run-relative path) whose job stops after its first batch and waits
 * until the worker is killed, or until the file CHECKPOINT_COVERAGE_TEST_RELEASE_FILE exists when
 * that is set, so a test acts on a job that is surely running, whatever the machine's load (a
 * fault test kills it; the e2e suite shows it scoring elsewhere, then lets it finish). Nobody sets
 * them outside the tests.
 */
const HOLD_JOB = process.env.CHECKPOINT_COVERAGE_TEST_HOLD_JOB;
const RELEASE_FILE = process.env.CHECKPOINT_COVERAGE_TEST_RELEASE_FILE;

async function hold(): Promise<void> {
  for (;;) {
    if (RELEASE_FILE && existsSync(RELEASE_FILE)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let evalSet: EvalSetParams | undefined;
let busy: string | undefined;
const cancelled = new Set<string>();

rpc.onRequest('loadEvalSetRequest', (p) => {
  evalSet = p;
  return { samples: p.samples.length };
});

rpc.onNotification('cancelJobNotification', ({ jobId }) => {
  if (busy === jobId) cancelled.add(jobId);
});

rpc.onRequest('scoreCheckpointRequest', async (p) => {
  if (busy) throw new Error(`the worker is already scoring job ${busy}`);
  if (!evalSet || evalSet.hash !== p.evalSetHash) throw new Error(`eval set ${p.evalSetHash} is not loaded in the worker`);
  busy = p.jobId;
  try {
    return await scoreModel({
      modelPath: p.modelPath,
      evalFile: evalSet.file,
      samples: evalSet.samples,
      options: p.options,
      isCancelled: () => cancelled.has(p.jobId),
      onProgress: (progress) => rpc.notify('scoreProgressNotification', { jobId: p.jobId, ...progress }),
      afterBatch: p.checkpointPath === HOLD_JOB ? hold : undefined,
      log: (level, message) => rpc.notify('workerLogNotification', { level, message: `${p.checkpointPath}: ${message}` }),
    });
  } catch (e) {
    // A checkpoint that cannot be scored is the job's answer, not a fault of the worker: the
    // client reports it once, so the RPC layer does not log it as a handler error too. It
    // travels as data; the client words it.
    const failure = checkpointError(e, { path: p.checkpointPath, modelPath: p.modelPath });
    throw new RequestFailure(failure.message, SCORE_ERROR_CODE, failure.data);
  } finally {
    busy = undefined;
    cancelled.delete(p.jobId);
  }
});
