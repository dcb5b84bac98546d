import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointEntry } from '../../src/core/types';
import { ScoreError } from '../../src/core/scoreError';
import type { EngineEvents, OpenedRun, RunEngine, RunReport } from '../../src/host/engine';
import { RunSession } from '../../src/host/runSession';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { coalesce } from '../../src/host/watchEvents';
import { report as mkReport, reportRow } from './reportFixture';

type Outcome = 'ok' | 'crash' | 'error' | 'hang';

const ROOT = '/runs/demo';
const entry = (step: number): CheckpointEntry => ({
  step,
  path: `step-${step}/model.onnx`,
  modelPath: `${ROOT}/step-${step}/model.onnx`,
  dataPaths: [],
  sameStep: [],
});

/** An engine whose checkpoints, stored scores and job outcomes the test controls. */
class FakeRun implements OpenedRun {
  readonly root = ROOT;
  readonly evalPaths = ['eval.jsonl'];
  readonly storeDir = '.coverage';
  readonly storePath = `${ROOT}/.coverage`;
  /** Claims of other processes, by path (what the store's locks would say). */
  held = new Map<string, { host: string; pid: number; since: string }>();
  readonly tokensPerStep = 1000;
  readonly nGrid = [1, 16];
  readonly selectionN = 16;
  readonly problems = [];
  readonly evalSetHash = 'h';
  checkpoints: CheckpointEntry[] = [];
  stored = new Set<string>();
  outcomes = new Map<string, Outcome[]>();
  scored: string[] = [];
  hanging: { path: string; signal: AbortSignal }[] = [];
  events: EngineEvents | undefined;
  disposals = 0;
  disposeFailure: Error | undefined;
  async scan() {
    return { checkpoints: [...this.checkpoints], problems: [] };
  }
  async hasScores(e: CheckpointEntry) {
    return this.stored.has(e.path);
  }
  async storedNow(entries: readonly CheckpointEntry[]) {
    return entries.filter((e) => this.stored.has(e.path)).map((e) => e.path);
  }
  async elsewhere() {
    return new Map(this.held);
  }
  score(
    e: CheckpointEntry,
    onProgress: (p: { samplesDone: number; samplesTotal: number; tokensPerSecond: number; provider: string | null }) => void,
    signal: AbortSignal,
  ) {
    this.scored.push(e.path);
    const outcome = this.outcomes.get(e.path)?.shift() ?? 'ok';
    onProgress({ samplesDone: 1, samplesTotal: 2, tokensPerSecond: 12_000, provider: 'cpu' });
    return new Promise<{ provider: string }>((resolve, reject) => {
      const cancel = () => reject(new ScoreError({ kind: 'cancelled', checkpoint: e.path, message: 'cancelled' }));
      if (signal.aborted) return cancel();
      signal.addEventListener('abort', cancel);
      if (outcome === 'hang') {
        this.hanging.push({ path: e.path, signal });
        return;
      }
      setImmediate(() => {
        if (outcome === 'crash') {
          // As the worker client does: one notice per crash, the job failing after its one retry.
          const message = `The scoring worker stopped on ${e.path}`;
          this.events?.onWorkerCrash?.({ checkpointPath: e.path, message, retrying: true, tellUser: true });
          this.events?.onWorkerCrash?.({ checkpointPath: e.path, message, retrying: false, tellUser: false });
        }
        if (outcome === 'ok') {
          this.stored.add(e.path);
          resolve({ provider: 'cpu' });
        } else
          reject(
            new ScoreError(
              outcome === 'crash'
                ? { kind: 'crashed', checkpoint: e.path, message: 'worker exited with code 134' }
                : { kind: 'bad-model', checkpoint: e.path, message: 'model has no logits output' },
            ),
          );
      });
    });
  }
  async report(entries: readonly CheckpointEntry[]): Promise<RunReport> {
    const done = entries.filter((e) => this.stored.has(e.path));
    const cps = done.map((e) => reportRow(e.step, 1 / e.step, e.step / 100, e.path));
    const first = cps[0] ? { step: cps[0].step, path: cps[0].path } : null;
    return mkReport({
      suggested: first,
      minCrossEntropy: cps.length ? { step: cps[cps.length - 1].step, path: cps[cps.length - 1].path } : null,
      checkpoints: cps,
    });
  }
  acrossInput() {
    return null;
  }
  async inspect(): Promise<never> {
    throw new Error('not used');
  }
  async invalidate(e: CheckpointEntry) {
    this.stored.delete(e.path);
  }
  async dispose() {
    this.disposals++;
    if (this.disposeFailure) throw this.disposeFailure;
  }
}

function setup(opts: { trusted?: boolean } = {}) {
  const run = new FakeRun();
  const engine: RunEngine = {
    open: async (_root, _settings, events) => {
      run.events = events;
      return run;
    },
  };
  let trusted = opts.trusted ?? true;
  const logs: string[] = [];
  const notices: string[] = [];
  const session = new RunSession(ROOT, {
    engine,
    settings: DEFAULT_SETTINGS,
    log: {
      info: (c, m) => logs.push(`info ${c} ${m}`),
      warn: (c, m) => logs.push(`warn ${c} ${m}`),
      error: (c, m) => logs.push(`error ${c} ${m}`),
    },
    isTrusted: () => trusted,
    notifyUser: (m) => notices.push(m),
  });
  return {
    run,
    session,
    logs,
    notices,
    trust: () => {
      trusted = true;
      session.resume();
    },
  };
}

const states = (s: RunSession) => Object.fromEntries(s.snapshot().rows.map((r) => [r.step, r.state]));

test('a checkpoint another process scores shows as elsewhere, is not scored here, and is done once its result is stored', async () => {
  const { run, session } = setup();
  run.checkpoints = [1, 2, 3].map(entry);
  const holder = { host: 'node-7', pid: 77, since: '2026-01-02T03:04:05Z' };
  run.held.set('step-2/model.onnx', holder);
  await session.open();
  await session.idle();
  assert.deepEqual(run.scored.sort(), ['step-1/model.onnx', 'step-3/model.onnx']);
  assert.deepEqual(states(session), { 1: 'done', 2: 'elsewhere', 3: 'done' });
  const row = session.snapshot().rows[1];
  assert.deepEqual(row.elsewhere, holder);
  assert.equal(session.snapshot().progress.elsewhere, 1);
  // The other process stores its result and releases its claim.
  run.stored.add('step-2/model.onnx');
  run.held.clear();
  await session.handleStoreChange();
  await session.idle();
  assert.deepEqual(states(session), { 1: 'done', 2: 'done', 3: 'done' });
  assert.deepEqual(run.scored.sort(), ['step-1/model.onnx', 'step-3/model.onnx'], 'read from the store, not scored again');
  assert.equal(session.snapshot().progress.elsewhere, 0);
  session.dispose();
});

test('a claim released without a result (its holder died) is scored here', async () => {
  const { run, session } = setup();
  run.checkpoints = [1, 2].map(entry);
  run.held.set('step-1/model.onnx', { host: 'node-7', pid: 77, since: 'then' });
  await session.open();
  await session.idle();
  assert.deepEqual(states(session), { 1: 'elsewhere', 2: 'done' });
  run.held.clear();
  await session.handleStoreChange();
  await session.idle();
  assert.deepEqual(states(session), { 1: 'done', 2: 'done' });
  assert.deepEqual(run.scored.sort(), ['step-1/model.onnx', 'step-2/model.onnx']);
  session.dispose();
});

test('opening queues what the store lacks, scores it, and builds the report', async () => {
  const { run, session } = setup();
  run.checkpoints = [1, 2, 3, 4].map(entry);
  run.stored.add('step-2/model.onnx');
  await session.open();
  await session.idle();
  assert.deepEqual(run.scored.sort(), ['step-1/model.onnx', 'step-3/model.onnx', 'step-4/model.onnx']);
  const snap = session.snapshot();
  assert.deepEqual(states(session), { 1: 'done', 2: 'done', 3: 'done', 4: 'done' });
  assert.equal(snap.rows.length, 4);
  assert.equal(snap.rows[2].trainTokens, 3000);
  assert.equal(snap.suggested?.step, 1);
  assert.deepEqual([snap.progress.done, snap.progress.total, snap.progress.provider], [4, 4, 'cpu']);
});

test('a crash (already retried once by the worker client) fails the job with the reason; the session adds no attempt; others go on', async () => {
  const { run, session, notices, logs } = setup();
  run.checkpoints = [1, 2, 3].map(entry);
  run.outcomes.set('step-2/model.onnx', ['crash']);
  run.outcomes.set('step-3/model.onnx', ['error']);
  await session.open();
  await session.idle();
  assert.deepEqual(states(session), { 1: 'done', 2: 'failed', 3: 'failed' });
  const rows = session.snapshot().rows;
  assert.match(rows[1].reason!, /code 134/);
  assert.match(rows[2].reason!, /no logits output/);
  assert.equal(run.scored.filter((p) => p === 'step-2/model.onnx').length, 1, 'the session never retries: the client did');
  assert.equal(run.scored.filter((p) => p === 'step-3/model.onnx').length, 1, 'input errors are not retried');
  assert.deepEqual(notices, ['The scoring worker stopped on step-2/model.onnx'], 'told once');
  assert.equal(logs.filter((l) => l.startsWith('warn worker')).length, 2, 'every crash is logged');
});

test('a newly arrived checkpoint is scored before the backlog', async () => {
  const { run, session } = setup();
  run.checkpoints = [1, 2, 3, 4, 5].map(entry);
  run.outcomes.set('step-1/model.onnx', ['hang']);
  await session.open();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(run.scored, ['step-1/model.onnx']);
  run.checkpoints.push(entry(6));
  await session.handleBatch(coalesce([{ kind: 'add', path: 'step-6/model.onnx' }]));
  // Finish the hung job by removing its checkpoint: the job is cancelled and never marked failed.
  run.checkpoints = run.checkpoints.filter((c) => c.step !== 1);
  await session.handleBatch(coalesce([{ kind: 'unlink', path: 'step-1/model.onnx' }]));
  await session.idle();
  assert.equal(run.scored[1], 'step-6/model.onnx');
  assert.equal(run.hanging[0].signal.aborted, true);
  assert.deepEqual(states(session), { 2: 'done', 3: 'done', 4: 'done', 5: 'done', 6: 'done' });
});

test('a clicked checkpoint jumps the queue', async () => {
  const { run, session } = setup();
  run.checkpoints = [1, 2, 3, 4, 5, 6, 7].map(entry);
  run.outcomes.set('step-1/model.onnx', ['hang']);
  await session.open();
  session.prioritize('step-4/model.onnx');
  run.checkpoints = run.checkpoints.filter((c) => c.step !== 1);
  await session.handleBatch(coalesce([{ kind: 'unlink', path: 'step-1/model.onnx' }]));
  await session.idle();
  assert.equal(run.scored[1], 'step-4/model.onnx');
});

test('a checkpoint replaced while it is scored is cancelled and scored again', async () => {
  const { run, session } = setup();
  run.checkpoints = [1].map(entry);
  run.outcomes.set('step-1/model.onnx', ['hang', 'ok']);
  await session.open();
  await session.handleBatch(coalesce([{ kind: 'change', path: 'step-1/model.onnx' }]));
  await session.idle();
  assert.deepEqual(run.scored, ['step-1/model.onnx', 'step-1/model.onnx']);
  assert.deepEqual(states(session), { 1: 'done' });
});

test('untrusted: nothing is scored until trust is granted', async () => {
  const { run, session, trust } = setup({ trusted: false });
  run.checkpoints = [1, 2].map(entry);
  await session.open();
  await session.idle();
  assert.deepEqual(run.scored, []);
  assert.equal(session.snapshot().awaitingTrust, true);
  trust();
  await session.idle();
  assert.equal(run.scored.length, 2);
  assert.equal(session.snapshot().awaitingTrust, false);
});

test('dispose cancels the running job and drops the queue', async () => {
  const { run, session } = setup();
  run.checkpoints = [1, 2, 3].map(entry);
  run.outcomes.set('step-1/model.onnx', ['hang']);
  await session.open();
  session.dispose();
  await session.idle();
  assert.equal(run.hanging[0].signal.aborted, true);
  assert.deepEqual(run.scored, ['step-1/model.onnx']);
});

test('a run whose dispose rejects is closed on reopen and on dispose, the failure logged rather than left unhandled', async () => {
  const { run, session, logs } = setup();
  run.disposeFailure = new Error('cannot save the hash cache (EACCES)');
  await session.open();
  await session.open();
  assert.equal(run.disposals, 1);
  // Resolves once the run is closed, and does not reject although the run's dispose did.
  await session.disposeAndWait();
  assert.equal(run.disposals, 2);
  assert.deepEqual(
    logs.filter((l) => l.startsWith('error')),
    [
      `error session cannot close ${ROOT}: cannot save the hash cache (EACCES)`,
      `error session cannot close ${ROOT}: cannot save the hash cache (EACCES)`,
    ],
  );
});

test('a run that finishes opening after the session is disposed is closed, not left with its worker running', async () => {
  const { run, session } = setup();
  const opening = session.open();
  session.dispose();
  await opening;
  assert.equal(run.disposals, 1);
  assert.equal(session.openedRun, undefined);
});

test('a run that cannot be opened shows the error instead of throwing', async () => {
  const session = new RunSession(ROOT, {
    engine: {
      open: async () => {
        throw new Error(`${ROOT}/coverage.json: unknown key "nGird"`);
      },
    },
    settings: DEFAULT_SETTINGS,
    log: { info() {}, warn() {}, error() {} },
    isTrusted: () => true,
  });
  await session.open();
  assert.match(session.snapshot().error!, /coverage.json: unknown key "nGird"/);
});
