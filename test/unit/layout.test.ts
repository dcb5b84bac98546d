// The layout scanner on real temp folders: naming forms, model choice, external weights,
// partial writes with an injected clock, same-step, duplicates and the hash cache, nested
// runs, link loops and unreadable folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanRun, type ScanOptions } from '../../src/core/layout';
import { HashCache } from '../../src/core/hashcache';
import { tempRun } from '../support/temp';

/** A clock well past every write, so nothing is settling unless a test says so. */
const settled: ScanOptions = { now: () => Date.now() + 60_000 };

test('every naming form at any depth, sorted numerically by step', async (t) => {
  const root = tempRun(t, {
    'step-1200/model.onnx': 'a',
    'deep/er/step_30/model.onnx': 'b',
    'checkpoint-5/model.onnx': 'c',
    'ckpt-400/model.onnx': 'd',
    'iter_0000007/model.onnx': 'e',
    'global_step1000000/model.onnx': 'f',
    'STEP-2/model.onnx': 'g',
    'files/model-step-60.onnx': 'h',
    'files/ckpt_61.onnx': 'i',
    'checkpoint-8/onnx/model.onnx': 'j',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => [c.step, c.path]),
    [
      [2, 'STEP-2/model.onnx'],
      [5, 'checkpoint-5/model.onnx'],
      [7, 'iter_0000007/model.onnx'],
      [8, 'checkpoint-8/onnx/model.onnx'],
      [30, 'deep/er/step_30/model.onnx'],
      [60, 'files/model-step-60.onnx'],
      [61, 'files/ckpt_61.onnx'],
      [400, 'ckpt-400/model.onnx'],
      [1200, 'step-1200/model.onnx'],
      [1000000, 'global_step1000000/model.onnx'],
    ],
  );
  assert.deepEqual(l.problems, []);
  assert.deepEqual(l.pending, []);
  const c = l.checkpoints[0];
  assert.equal(c.modelPath, join(root, 'STEP-2/model.onnx'));
  assert.equal(c.bytes, 1);
  assert.deepEqual(c.sameStep, []);
  assert.equal(c.duplicateOf, undefined);
});

test('near misses and step-less models are not checkpoints', async (t) => {
  const root = tempRun(t, {
    'step-12a/model.onnx': 'a',
    'steps-3/model.onnx': 'b',
    'mystep-5/model.onnx': 'c',
    'step-1200-final/model.onnx': 'd',
    'reference/model.onnx': 'e',
    'model.onnx': 'f',
    'step-9/weights.bin': 'g',
    'step-10/model.onnx_data': 'h',
    'step-1.5.onnx': 'i',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(l.checkpoints, []);
  assert.deepEqual(l.problems, []);
});

test('model choice: model.onnx, merged decoder, exactly one, or a problem', async (t) => {
  const root = tempRun(t, {
    'step-1/model.onnx': 'a',
    'step-1/model_fp16.onnx': 'b',
    'step-2/decoder_model.onnx': 'c',
    'step-2/decoder_model_merged.onnx': 'd',
    'step-3/anything.onnx': 'e',
    'step-4/a.onnx': 'f',
    'step-4/b.onnx': 'g',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['step-1/model.onnx', 'step-2/decoder_model_merged.onnx', 'step-3/anything.onnx'],
  );
  assert.equal(l.problems.length, 1);
  assert.equal(l.problems[0].file, 'step-4');
  assert.match(l.problems[0].message, /a\.onnx, b\.onnx/);
});

test('external weights belong to their model; the hook adds names the model gives', async (t) => {
  const root = tempRun(t, {
    'step-1/model.onnx': 'm',
    'step-1/model.onnx_data': 'wwww',
    'step-2/model.onnx': 'm2',
    'step-2/model.onnx.data': 'ww',
    'step-2/shared.bin': 'xyz',
    'step-3.onnx': 'm3',
    'step-3.onnx_data': 'w',
  });
  const l = await scanRun(root, {
    ...settled,
    externalDataNames: async (p) => (p.endsWith(join('step-2', 'model.onnx')) ? ['shared.bin', 'missing.bin'] : undefined),
  });
  const byPath = Object.fromEntries(l.checkpoints.map((c) => [c.path, c]));
  assert.deepEqual(byPath['step-1/model.onnx'].dataPaths, [join(root, 'step-1/model.onnx_data')]);
  assert.equal(byPath['step-1/model.onnx'].bytes, 5);
  assert.deepEqual(byPath['step-2/model.onnx'].dataPaths, [join(root, 'step-2/model.onnx.data'), join(root, 'step-2/shared.bin')]);
  assert.deepEqual(byPath['step-3.onnx'].dataPaths, [join(root, 'step-3.onnx_data')]);
  assert.deepEqual(
    l.problems.map((p) => [p.file, p.subject]),
    [['step-2/model.onnx', 'missing.bin']],
  );
});

test('partial writes: temp names, hidden files and the 2 s rule are pending', async (t) => {
  const root = tempRun(t, {
    'step-1/model.onnx': 'done',
    'step-2/model.onnx': 'x',
    'step-2/model.onnx_data.tmp': 'half',
    'step-3.onnx.partial': 'half',
    'step-4/.model.onnx.x7Gq': 'rsync temp',
    'step-5/model.onnx': 'x',
    'step-5/.DS_Store': 'finder',
    'step-6.onnx': 'x',
    'step-6.onnx_data.incomplete': 'half',
    'step-7.onnx': 'x',
    'step-8/model.onnx': 'fresh',
  });
  const expectedPending = [
    'step-2/model.onnx',
    'step-2/model.onnx_data.tmp',
    'step-3.onnx.partial',
    'step-4/.model.onnx.x7Gq',
    'step-6.onnx',
    'step-6.onnx_data.incomplete',
  ];
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['step-1/model.onnx', 'step-5/model.onnx', 'step-7.onnx', 'step-8/model.onnx'],
  );
  assert.deepEqual(l.pending, expectedPending);
  // The 2 s rule on top: a clock 1 s after the last write holds every complete file back too.
  const st = statSync(join(root, 'step-8/model.onnx'));
  const soon = await scanRun(root, { now: () => Math.max(st.mtimeMs, st.ctimeMs) + 1000 });
  assert.deepEqual(soon.checkpoints, []);
  assert.ok(soon.pending.includes('step-8/model.onnx') && soon.pending.includes('step-7.onnx'));
  // Only the checkpoints held up by the clock alone settle by waiting; in-progress names never do.
  assert.deepEqual(soon.settling, ['step-1/model.onnx', 'step-5/model.onnx', 'step-7.onnx', 'step-8/model.onnx']);
  assert.deepEqual([l.settling, l.settledAt], [[], 0]);
});

test('the settle window is injectable: a file changed 1.9 s ago waits, 2.1 s ago counts', async (t) => {
  const root = tempRun(t, { 'step-1/model.onnx': 'x' });
  const st = statSync(join(root, 'step-1/model.onnx'));
  const changed = Math.max(st.mtimeMs, st.ctimeMs);
  const early = await scanRun(root, { now: () => changed + 1900 });
  assert.deepEqual([early.pending, early.settling, early.settledAt], [['step-1/model.onnx'], ['step-1/model.onnx'], changed + 2000]);
  assert.equal((await scanRun(root, { now: () => changed + 2100 })).checkpoints.length, 1);
  assert.equal((await scanRun(root, { now: () => changed + 1900, settleMs: 100 })).checkpoints.length, 1);
});

test('same step under two paths: both kept, both flagged', async (t) => {
  const root = tempRun(t, { 'a/step-10/model.onnx': 'a', 'b/checkpoint-10/model.onnx': 'bb', 'step-11.onnx': 'c' });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => [c.path, c.sameStep]),
    [
      ['a/step-10/model.onnx', ['b/checkpoint-10/model.onnx']],
      ['b/checkpoint-10/model.onnx', ['a/step-10/model.onnx']],
      ['step-11.onnx', []],
    ],
  );
});

test('byte-identical checkpoints are flagged; the cache hashes each file once until it changes', async (t) => {
  const root = tempRun(t, {
    'step-1/model.onnx': 'same',
    'step-1/model.onnx_data': 'W',
    'step-2/model.onnx': 'same',
    'step-2/model.onnx_data': 'W',
    'step-3/model.onnx': 'same',
    'step-3/model.onnx_data': 'V',
    'step-4/model.onnx': 'diff',
    'step-5/model.onnx': 'longer',
  });
  const cacheFile = join(root, '.coverage', 'hashes.json');
  const cache = new HashCache(cacheFile);
  const l = await scanRun(root, { ...settled, hashCache: cache });
  assert.deepEqual(
    l.checkpoints.map((c) => c.duplicateOf),
    [undefined, 'step-1/model.onnx', undefined, undefined, undefined],
  );
  // step-4 and step-5 have sizes of their own and are never read; steps 1-3 are hashed with their data.
  assert.equal(cache.hashed, 6);
  await scanRun(root, { ...settled, hashCache: cache });
  assert.equal(cache.hashed, 6);
  const fromDisk = new HashCache(cacheFile);
  await fromDisk.load();
  await scanRun(root, { ...settled, hashCache: fromDisk });
  assert.equal(fromDisk.hashed, 0, 'the JSON cache under .coverage is used');
  // Same size, new bytes and a new mtime: rehashed, and no longer a duplicate.
  writeFileSync(join(root, 'step-2/model.onnx'), 'SAME');
  utimesSync(join(root, 'step-2/model.onnx'), 5000, 5000);
  const after = await scanRun(root, { ...settled, hashCache: fromDisk });
  assert.equal(fromDisk.hashed, 1);
  assert.equal(after.checkpoints[1].duplicateOf, undefined);
  assert.ok(JSON.parse(readFileSync(cacheFile, 'utf8')).entries[join(root, 'step-2/model.onnx')]);
});

test('nested runs (a subfolder with its own coverage.json or eval.jsonl) are reported, not mixed in', async (t) => {
  const root = tempRun(t, {
    'eval.jsonl': '',
    'step-1/model.onnx': 'a',
    'ablation/eval.jsonl': '',
    'ablation/step-1/model.onnx': 'b',
    'ablation/deeper/coverage.json': '{}',
    'other/coverage.json': '{}',
    'other/step-2.onnx.tmp': 'x',
    'data/eval.jsonl': '',
    // A step folder with an eval.jsonl is a checkpoint, not a run.
    'step-2/model.onnx': 'c',
    'step-2/eval.jsonl': '',
  });
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['step-1/model.onnx', 'step-2/model.onnx'],
  );
  assert.deepEqual(l.nestedRuns, ['ablation', 'data', 'other']);
  assert.deepEqual(l.pending, []);
  // Opened on its own, the nested run is an ordinary run.
  assert.deepEqual(
    (await scanRun(join(root, 'ablation'), settled)).checkpoints.map((c) => c.path),
    ['step-1/model.onnx'],
  );
});

test('store, hidden folders and node_modules are skipped', async (t) => {
  const root = tempRun(t, {
    '.coverage/step-1/model.onnx': 'a',
    '.git/step-2/model.onnx': 'b',
    'node_modules/step-3/model.onnx': 'c',
    'cache-dir/step-4/model.onnx': 'd',
    'step-5/model.onnx': 'e',
  });
  const l = await scanRun(root, { ...settled, storeDir: 'cache-dir' });
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['step-5/model.onnx'],
  );
});

test('symlink loops end with a problem; linked checkpoints are found once', async (t) => {
  const root = tempRun(t, { 'a/step-1/model.onnx': 'x', 'a/b/.keep': '' });
  symlinkSync(join(root, 'a'), join(root, 'a/b/loop'));
  symlinkSync(join(root, 'a/step-1'), join(root, 'again'));
  symlinkSync(join(root, 'self'), join(root, 'self'));
  symlinkSync(join(root, 'nowhere.onnx'), join(root, 'step-9.onnx'));
  const l = await scanRun(root, settled);
  assert.deepEqual(
    l.checkpoints.map((c) => c.path),
    ['a/step-1/model.onnx'],
  );
  const byFile = Object.fromEntries(l.problems.map((p) => [p.file, p.message]));
  assert.match(byFile['a/b/loop'], /symbolic link loop: leads back to 'a'/);
  assert.match(byFile['again'], /already scanned as 'a\/step-1'/);
  assert.match(byFile['self'], /ELOOP/);
  assert.match(byFile['step-9.onnx'], /ENOENT/);
});

test(
  'an unreadable folder is a problem and the scan goes on',
  { skip: process.getuid?.() === 0 ? 'root reads everything' : false },
  async (t) => {
    const root = tempRun(t, { 'locked/step-1/model.onnx': 'x', 'step-2/model.onnx': 'y' });
    chmodSync(join(root, 'locked'), 0o000);
    // Given back before tempRun's cleanup, which could not remove a folder it may not read.
    const l = await scanRun(root, settled).finally(() => chmodSync(join(root, 'locked'), 0o755));
    assert.deepEqual(
      l.checkpoints.map((c) => c.path),
      ['step-2/model.onnx'],
    );
    assert.match(l.problems[0].message, /cannot read this folder \(EACCES\)/);
  },
);

test('a missing root or a file as root is an error naming it', async (t) => {
  const root = tempRun(t, { 'f.txt': 'x' });
  await assert.rejects(scanRun(join(root, 'nope')), /nope: cannot read the run folder \(ENOENT\)/);
  await assert.rejects(scanRun(join(root, 'f.txt')), /f\.txt: expected a run folder, found a file/);
});
