// Workspace trust through the host's real engine (config, store, worker client): an untrusted
// workspace scores nothing (no job reaches a worker, no score file is written) until trust is
// granted, and paths in coverage.json may leave the run folder only when it is trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunEngine } from '../../src/host/engine';
import { createEngine } from '../../src/host/engineAdapter';
import { RunSession } from '../../src/host/runSession';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { countJobs, isAlive, makeRun } from '../scoring/faultsRun';
import { settle } from '../support/cli';
import { tempDir } from '../support/temp';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const settings = { ...DEFAULT_SETTINGS, executionProvider: 'cpu' as const, tokenBudget: 64, threads: 1 };

/** The engine, recording each checkpoint the session asks it to score at the call, before any worker is involved. */
function recordingEngine(engine: RunEngine, asked: string[]): RunEngine {
  return {
    open: async (...args) => {
      const run = await engine.open(...args);
      const score = run.score.bind(run);
      run.score = (entry, onProgress, signal) => {
        asked.push(entry.path);
        return score(entry, onProgress, signal);
      };
      return run;
    },
  };
}

test('untrusted: zero score jobs and no stored scores until trust is granted; then every checkpoint is scored', async (t) => {
  const root = makeRun(t, [100, 200], 12);
  await settle();
  const { jobs, clients } = countJobs(t);
  const asked: string[] = [];
  let trusted = false;
  const s = new RunSession(root, {
    engine: recordingEngine(createEngine({ isTrusted: () => trusted, log: () => undefined }), asked),
    settings,
    log: quiet,
    isTrusted: () => trusted,
  });
  t.after(() => s.disposeAndWait());
  const told: boolean[] = [];
  s.onDidChange((snap) => told.push(snap.awaitingTrust));
  // The session decides within open(): it either starts its pump (which idle() then waits out,
  // job and worker included) or says it awaits trust. No timer decides anything here.
  await s.open();
  await s.idle();
  assert.deepEqual(asked, [], 'the session asked the engine to score nothing');
  assert.deepEqual(jobs, [], 'no job was handed to a worker');
  assert.equal(told.at(-1), true, 'the session told its listeners it awaits trust');
  assert.equal(clients.size, 0, 'no worker client scored anything');
  const scores = join(root, '.coverage', 'scores');
  assert.ok(!existsSync(scores) || readdirSync(scores).length === 0, 'no score file');
  const snap = s.snapshot();
  assert.equal(snap.awaitingTrust, true);
  assert.deepEqual(
    snap.rows.map((r) => r.state),
    ['queued', 'queued'],
  );

  trusted = true;
  s.resume(); // what the controller does on onDidGrantWorkspaceTrust
  await s.idle();
  assert.deepEqual([...jobs].sort(), ['step-100/model.onnx', 'step-200/model.onnx']);
  assert.deepEqual(
    s.snapshot().rows.map((r) => r.state),
    ['done', 'done'],
  );
  assert.equal(s.snapshot().awaitingTrust, false);
  assert.equal(readdirSync(scores).length, 2);
  assert.deepEqual([...asked].sort(), ['step-100/model.onnx', 'step-200/model.onnx']);
  // Disposing ends the worker that scored them; the test waits for that instead of leaving it running.
  const pid = [...clients][0]?.workerPid;
  assert.ok(pid !== undefined && isAlive(pid), 'the worker is still up after the jobs');
  await s.disposeAndWait();
  assert.equal(isAlive(pid), false, 'the worker is gone once dispose resolves');
});

test('coverage.json paths outside the run: refused by the engine when untrusted, followed when trusted', async (t) => {
  const root = makeRun(t, [100], 4);
  const outside = tempDir(t, 'cc-outside-');
  writeFileSync(join(outside, 'eval.jsonl'), '{"prompt_ids":[1],"response_ids":[2]}\n');
  writeFileSync(join(root, 'coverage.json'), JSON.stringify({ eval: join(outside, 'eval.jsonl') }));

  const untrusted = createEngine({ isTrusted: () => false, log: () => undefined });
  await assert.rejects(untrusted.open(root, settings), (e: Error) =>
    e.message.includes(
      `"eval" is ${JSON.stringify(join(outside, 'eval.jsonl'))}, which is outside the run folder; paths must stay inside it unless the workspace is trusted`,
    ),
  );

  writeFileSync(join(root, 'coverage.json'), JSON.stringify({ eval: '../eval.jsonl' }));
  await assert.rejects(untrusted.open(root, settings), /"eval" is "\.\.\/eval\.jsonl", which is outside the run folder/);

  writeFileSync(join(root, 'coverage.json'), JSON.stringify({ eval: join(outside, 'eval.jsonl') }));
  const run = await createEngine({ isTrusted: () => true, log: () => undefined }).open(root, settings);
  try {
    assert.deepEqual(run.evalPaths, [relative(root, join(outside, 'eval.jsonl'))], 'the trusted run reads the eval set outside');
  } finally {
    await run.dispose();
  }
});
