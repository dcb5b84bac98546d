// The score store under faults: a full disk, damaged and misplaced files, temp files of
// killed writers, a checkpoint replaced or deleted while it is scored, and the CLI killed
// mid-run. Whatever happens, what is read back decodes, carries its key, and equals a direct
// run of the checkpoint's current content; everything else is scored again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureLine, scoreRunFolder } from '../support/scoreRun';
import { writeStoredScores, type StoreWriteIO } from '../../src/core/store/files';
import { verifyStore } from '../../src/core/store/verify';
import { RunScorer } from '../../src/run/runScorer';
import { scoreModel } from '../../src/scoring/scorer';
import { CPU } from './helpers';
import { loadRun, makeRun, replaceModel } from './faultsRun';
import { REPO, settle } from '../support/cli';

/** Writes half of what it is given, then fails as a full disk does. */
const fullDisk: StoreWriteIO = {
  async open(path) {
    return {
      async writeFile(data: Uint8Array) {
        writeFileSync(path, data.subarray(0, data.length >> 1));
        throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      },
      async sync() {},
      async close() {},
    };
  },
};

const direct = async (modelPath: string, samples: Parameters<typeof scoreModel>[0]['samples']) =>
  (await scoreModel({ modelPath, evalFile: 'e', samples, options: CPU })).seqLogprob;

test('disk full: the error names the store file and the full disk, nothing partial is left, the next run scores it', async (t) => {
  const root = makeRun(t, [100], 20);
  const { evalSet, layout } = await loadRun(root);
  const logs: string[] = [];
  const scorer = new RunScorer({ runRoot: root, evalSet, provider: 'cpu', storeIO: fullDisk, log: (_l, m) => logs.push(m) });
  const r = await scorer.ensureScored(layout.checkpoints);
  await scorer.dispose();
  const file = join(root, '.coverage', 'scores', '[^ ]+\\.ccscores');
  assert.match(
    failureLine(r.outcomes[0])!,
    new RegExp(
      `^step-100/model\\.onnx: cannot write scores to ${file}: ENOSPC: no space left on device, write \\(the disk or quota holding ${join(root, '.coverage', 'scores')} is full; nothing partial was kept`,
    ),
  );
  assert.deepEqual(readdirSync(join(root, '.coverage', 'scores')), [], 'no temp file, no score file');
  assert.deepEqual(readdirSync(join(root, '.coverage', 'locks')), [], 'no lock left');
  const again = await scoreRunFolder(root, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(
    again.outcomes.map((o) => [o.reused, o.error]),
    [[false, undefined]],
  );
  assert.deepEqual(again.outcomes[0].record!.scores.seqLogprob, await direct(layout.checkpoints[0].modelPath, evalSet.samples));
});

test('truncated, bit-flipped and misplaced (another key) store files are reported, rescored, and the verifier agrees', async (t) => {
  const root = makeRun(t, [100, 200, 300], 20);
  await scoreRunFolder(root, { provider: 'cpu', settleMs: 0 });
  const dir = join(root, '.coverage', 'scores');
  const file = Object.fromEntries((await verifyStore(dir)).valid.map((v) => [v.checkpointPath.slice(5, 8), v.file]));
  const intact200 = readFileSync(file[200]);
  truncateSync(file[100], 100);
  const flipped = Buffer.from(intact200);
  flipped[flipped.length >> 1] ^= 0x10;
  writeFileSync(file[200], flipped);
  // step-300's name now holds step-200's intact bytes: they decode, but for another key.
  writeFileSync(file[300], intact200);
  const check = await verifyStore(dir);
  assert.equal(check.valid.length, 0);
  const reasons = Object.fromEntries(check.invalid.map((i) => [i.file, i.reason]));
  assert.equal(reasons[file[100]], 'length 100 is not a multiple of 8 (truncated or padded)');
  assert.equal(reasons[file[200]], 'checksum mismatch (damaged or truncated)');
  assert.match(reasons[file[300]], /^holds the scores for key .*, which belong in /);

  const progress: string[] = [];
  const r = await scoreRunFolder(root, { provider: 'cpu', settleMs: 0, progress: { write: (s) => progress.push(s), tty: false } });
  assert.deepEqual(
    r.outcomes.map((o) => [o.entry.step, o.reused, o.error]),
    [
      [100, false, undefined],
      [200, false, undefined],
      [300, false, undefined],
    ],
  );
  const said = progress.join('');
  assert.ok(
    said.includes(`warning: ${file[100]}: length 100 is not a multiple of 8 (truncated or padded); scoring step-100/model.onnx again`),
    said,
  );
  assert.ok(said.includes(`warning: ${file[200]}: checksum mismatch (damaged or truncated); scoring step-200/model.onnx again`), said);
  assert.match(
    said,
    new RegExp(
      `warning: ${file[300].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: checkpointHash is [0-9a-f]+, expected [0-9a-f]+; scoring step-300/model\\.onnx again`,
    ),
  );
  const final = await verifyStore(dir);
  assert.deepEqual([final.valid.length, final.invalid.length, final.temporary.length], [3, 0, 0]);
});

test('temp files of killed writers are never read; old ones are removed, fresh ones (a live writer) are left', async (t) => {
  const root = makeRun(t, [100], 10);
  const dir = join(root, '.coverage', 'scores');
  const { evalSet, layout } = await loadRun(root);
  const scorer = new RunScorer({ runRoot: root, evalSet, provider: 'cpu' });
  const key = await scorer.key(layout.checkpoints[0]);
  const half = Buffer.from('CCSCORE1 half a file');
  await writeStoredScores(dir, half, key);
  const name = readdirSync(dir)[0];
  rmSync(join(dir, name));
  const old = join(dir, `${name}.tmp-99999-aaaaaaaa`);
  const fresh = join(dir, `${name}.tmp-99999-bbbbbbbb`);
  writeFileSync(old, half);
  writeFileSync(fresh, half);
  utimesSync(old, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
  const r = await scorer.ensureScored(layout.checkpoints);
  await scorer.dispose();
  assert.deepEqual(
    r.outcomes.map((o) => [o.reused, failureLine(o)]),
    [[false, undefined]],
  );
  assert.ok(!existsSync(old) && existsSync(fresh));
  const check = await verifyStore(dir);
  assert.deepEqual([check.valid.length, check.invalid, check.temporary], [1, [], [fresh]]);
});

test('a checkpoint replaced while it is scored: a failure naming it, nothing stored; the next run scores the new content', async (t) => {
  const root = makeRun(t, [100], 60);
  const { evalSet, layout } = await loadRun(root);
  const scorer = new RunScorer({ runRoot: root, evalSet, provider: 'cpu', tokenBudget: 16 });
  let replaced = false;
  const r = await scorer.ensureScored(layout.checkpoints, {
    onProgress: () => {
      if (!replaced) replaceModel(root, 100, 777);
      replaced = true;
    },
  });
  await scorer.dispose();
  assert.equal(
    failureLine(r.outcomes[0]),
    'step-100/model.onnx: the checkpoint changed while it was being scored; nothing was stored, and it will be scored again',
  );
  assert.deepEqual((await verifyStore(join(root, '.coverage', 'scores'))).valid, []);
  const again = await scoreRunFolder(root, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(again.outcomes[0].record!.scores.seqLogprob, await direct(layout.checkpoints[0].modelPath, evalSet.samples));
});

test('a checkpoint deleted while it is scored: a failure naming it and its missing file, nothing stored', async (t) => {
  const root = makeRun(t, [100, 200], 60);
  const { evalSet, layout } = await loadRun(root);
  const scorer = new RunScorer({ runRoot: root, evalSet, provider: 'cpu', tokenBudget: 16 });
  const r = await scorer.ensureScored(layout.checkpoints, {
    onProgress: (e) => {
      if (e.step === 100) rmSync(join(root, 'step-100'), { recursive: true, force: true });
    },
  });
  await scorer.dispose();
  assert.equal(
    failureLine(r.outcomes[0]),
    `step-100/model.onnx: the checkpoint was deleted or became unreadable while it was being scored; nothing was stored (cannot read checkpoint file (ENOENT: no such file or directory))`,
  );
  assert.equal(failureLine(r.outcomes[1]), undefined, 'the other checkpoint is still scored');
  assert.deepEqual(
    (await verifyStore(join(root, '.coverage', 'scores'))).valid.map((v) => v.checkpointPath),
    ['step-200/model.onnx'],
  );
});

test('the CLI killed (SIGKILL) in the middle of a run: the store holds only whole files; its stale lock is taken over and the next run finishes', async (t) => {
  const root = makeRun(t, [100, 200, 300, 400], 40);
  // The CLI's scan leaves files changed in the last two seconds for later (still being written).
  await settle();
  // Its second job is held after one batch (the worker's test hook), so the kill surely lands while
  // that job holds its claim.
  const cli = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'score', root, '--provider', 'cpu', '--budget', '16'],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CHECKPOINT_COVERAGE_TEST_HOLD_JOB: 'step-200/model.onnx' },
    },
  );
  let err = '';
  const locks = join(root, '.coverage', 'locks');
  let killing = false;
  await new Promise<void>((resolve) => {
    cli.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      if (!/scored on cpu/.test(err) || killing) return;
      killing = true;
      // Killed once the first result is stored and the second job holds its claim.
      const poll = setInterval(() => {
        if (existsSync(locks) && readdirSync(locks).length > 0) {
          clearInterval(poll);
          cli.kill('SIGKILL');
        }
      }, 5);
      cli.on('exit', () => clearInterval(poll));
    });
    cli.on('exit', () => resolve());
  });
  assert.equal(cli.signalCode, 'SIGKILL', err);
  assert.equal(readdirSync(locks).length, 1, 'the killed CLI left its claim behind');
  const dir = join(root, '.coverage', 'scores');
  const check = await verifyStore(dir);
  assert.ok(check.valid.length >= 1 && check.invalid.length === 0, JSON.stringify(check));
  const r = await scoreRunFolder(root, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(
    r.outcomes.map((o) => o.error),
    [undefined, undefined, undefined, undefined],
  );
  assert.equal(r.outcomes.filter((o) => o.reused).length, check.valid.length);
  assert.deepEqual((await verifyStore(dir)).valid.length, 4);
  assert.deepEqual(readdirSync(join(root, '.coverage', 'locks')), []);
});
