// `checkpoint-coverage runs`: the real entry point spawned on temp run folders (exit codes,
// stdout vs stderr), and the command function for the details of the listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { command } from '../../src/cli/runs';
import { callCommand, settle, spawnCli } from '../support/cli';
import { tempRun } from '../support/temp';

const call = (argv: string[]) => callCommand(command, argv);

const EVAL = [
  '{"prompt_ids":[1],"response_ids":[2,3],"ref_logprob":-1}',
  '{"prompt_ids":[1],"response_ids":[-4],"id":"neg"}',
  '{"prompt_ids":[5,6],"response_ids":[7],"ref_logprob":-2}',
].join('\n');

// Files written just now are still "being written" for 2 s; these tests list only
// pending names, or wait nothing by using checkpoints whose state does not matter.
// Spawning costs about a second each, so the entry point is spawned only for what only it
// does (dispatch, exit codes, the streams); the listing itself is checked in-process.
test('spawned: a JSON listing on stdout with exit 0; usage errors exit 2; an unreadable run exits 1', async (t) => {
  const root = tempRun(t, { 'eval.jsonl': EVAL, 'step-1/model.onnx': 'x', 'ckpt-3.onnx.tmp': 'half' });
  // Independent processes: started together, so the suite waits for one start-up, not five.
  const [json, none, help, unknown, missing] = await Promise.all([
    spawnCli(['runs', root, '--json']),
    spawnCli([]),
    spawnCli(['help', 'runs']),
    spawnCli(['frobnicate']),
    spawnCli(['runs', join(root, 'nope')]),
  ]);
  assert.equal(json.code, 0, json.err);
  assert.equal(json.err, '');
  const j = JSON.parse(json.out);
  assert.equal(j.eval.samples, 2);
  assert.equal(j.eval.reference, 'generator');
  assert.deepEqual(
    j.eval.problems.map((p: { file: string; line: number }) => [p.file, p.line]),
    [['eval.jsonl', 2]],
  );
  assert.ok(j.pending.includes('ckpt-3.onnx.tmp'));
  assert.equal(j.config.selectionN, 16);

  assert.equal(none.code, 2);
  assert.match(none.err, /Usage: checkpoint-coverage <command>/);
  assert.equal(help.code, 0);
  assert.match(help.out, /runs <dir> \[--json\]/);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command 'frobnicate'/);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope: cannot read the run folder \(ENOENT\)/);
  assert.equal(missing.out, '');
});

test('text listing, usage errors and a bad coverage.json, in-process', async (t) => {
  const root = tempRun(t, { 'eval.jsonl': EVAL, 'ckpt-3.onnx.tmp': 'half' });
  const text = await call([root]);
  assert.equal(text.code, 0, text.err);
  assert.equal(text.err, '');
  assert.match(text.out, /Eval set eval\.jsonl: 2 samples, 3 response tokens, 3 prompt tokens/);
  assert.match(text.out, /\n    eval\.jsonl:2 \(id neg\): "response_ids"\[0\] is -4/);
  assert.match(text.out, /reference +generator \(chosen from the eval set\)/);
  assert.match(text.out, /Pending \(still being written\): 1\n  ckpt-3\.onnx\.tmp/);
  await assert.rejects(call([]), { name: 'UsageError', message: 'missing the run folder <dir>' });
  await assert.rejects(call([root, 'extra']), { name: 'UsageError', message: "unexpected argument 'extra'" });
  await assert.rejects(call([root, '--jsn']), (e: unknown) => e instanceof Error && e.name === 'UsageError' && /--jsn/.test(e.message));
  writeFileSync(join(root, 'coverage.json'), '{"selectionN": 1}');
  await assert.rejects(call([root]), /coverage\.json: "selectionN" must be a finite number greater than 1, found 1/);
});

test('the listing: steps in order, sizes, same-step and duplicate flags, nested runs, settings', async (t) => {
  const root = tempRun(t, {
    'coverage.json': JSON.stringify({ nGrid: [4, 1], tokensPerStep: 1000, reference: 'point-mass' }),
    'eval.jsonl': EVAL,
    'a/step-20/model.onnx': 'same',
    'b/step-20/model.onnx': 'diff',
    'step-100/model.onnx': 'same',
    'step-100/model.onnx_data': 'w'.repeat(2500),
    'step-3.onnx': 'same',
    'other/coverage.json': '{}',
    'other/step-1/model.onnx': 'x',
  });
  // Only files older than 2 s count: pass a root whose files are all fresh and see them pending…
  const fresh = JSON.parse((await call([root, '--json'])).out);
  assert.equal(fresh.checkpoints.length, 0);
  assert.deepEqual(fresh.pending, ['a/step-20/model.onnx', 'b/step-20/model.onnx', 'step-100/model.onnx', 'step-3.onnx']);
  // …then wait the window out once, so the listing shows them as checkpoints.
  await settle();
  const { code, out, err } = await call([root]);
  assert.equal(code, 0, err);
  const rows = out.split('\n').filter((l) => /^\s+\d+\s.*\.onnx/.test(l));
  assert.deepEqual(
    rows.map((r) => r.trim().split(/\s+/)[0]),
    ['3', '20', '20', '100'],
  );
  assert.match(rows[1], /a\/step-20\/model\.onnx\s+same step as b\/step-20\/model\.onnx; duplicate of step-3\.onnx$/);
  assert.match(rows[3], /2\.5 KB\s+onnx\s+step-100\/model\.onnx$/);
  assert.match(out, /Nested runs \(open them on their own\): other/);
  assert.match(out, /nGrid +1, 4\n/);
  assert.match(out, /tokensPerStep +1000\n/);
  assert.match(out, /reference +point-mass\n/);
  const j = JSON.parse((await call([root, '--json'])).out);
  assert.deepEqual(
    j.checkpoints.map((k: { duplicateOf: string | null }) => k.duplicateOf),
    [null, 'step-3.onnx', null, null],
  );
  assert.deepEqual(j.checkpoints[3].dataFiles, ['step-100/model.onnx_data']);
  assert.equal(j.config.file, 'coverage.json');
});

test('an eval set that cannot be used: the listing still prints, the reason goes to stderr, exit 1', async (t) => {
  const root = tempRun(t, { 'eval.jsonl': '{"prompt":"a","response":"b"}\n' });
  const { code, out, err } = await call([root]);
  assert.equal(code, 1);
  assert.match(out, /Eval set eval\.jsonl: cannot be used/);
  assert.match(out, /\n    eval\.jsonl:1: has text \(prompt\/response\) but no tokenizer/);
  assert.match(err, /eval\.jsonl: no valid sample in 1 lines/);
  const empty = tempRun(t, {});
  const r = await call([empty]);
  assert.equal(r.code, 1);
  assert.match(r.err, /eval\.jsonl: cannot read the eval set \(ENOENT\)/);
});

test('checkpoints another live process is scoring show as scoring elsewhere (host · pid · since); dead and stale claims do not', async (t) => {
  const root = tempRun(t, {
    'eval.jsonl': EVAL,
    'step-1/model.onnx': 'a',
    'step-2/model.onnx': 'b',
    'step-3/model.onnx': 'c',
    'step-4/model.onnx': 'd',
  });
  const locks = join(root, '.coverage', 'locks');
  mkdirSync(locks, { recursive: true });
  const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  const claim = (name: string, holder: object) =>
    writeFileSync(join(locks, `${name}.lock`), JSON.stringify({ startedAt: '2026-01-02T03:04:05.678Z', token: name, ...holder }));
  // Another live process on this host (this one's own claims would be its own work, not elsewhere).
  const live = spawn('sleep', ['60']);
  t.after(() => live.kill());
  claim('k1', { pid: live.pid, host: hostname(), checkpoint: 'step-1/model.onnx' });
  claim('k2', { pid: deadPid, host: hostname(), checkpoint: 'step-2/model.onnx' });
  claim('k3', { pid: 77, host: 'node-7.cluster', checkpoint: 'step-3/model.onnx' });
  claim('k4', { pid: 78, host: 'node-8.cluster', checkpoint: 'step-4/model.onnx' });
  // Untouched for 10 minutes: its holder's heartbeat stopped (dead or suspended), so nobody is scoring it.
  const old = new Date(Date.now() - 600_000);
  utimesSync(join(locks, 'k4.lock'), old, old);
  await settle();
  const { code, out, err } = await call([root]);
  assert.equal(code, 0, err);
  const flags = Object.fromEntries(
    out
      .split('\n')
      .filter((l) => /^\s+\d+\s.*\.onnx/.test(l))
      .map((l) => [l.trim().split(/\s+/)[0], l.split('.onnx')[1].trim()]),
  );
  assert.deepEqual(flags, {
    1: `scoring elsewhere (${hostname()} · pid ${live.pid} · since 2026-01-02T03:04:05Z)`,
    2: '',
    3: 'scoring elsewhere (node-7.cluster · pid 77 · since 2026-01-02T03:04:05Z)',
    4: '',
  });
  const j = JSON.parse((await call([root, '--json'])).out);
  assert.deepEqual(
    j.checkpoints.map((k: { scoringElsewhere: unknown }) => k.scoringElsewhere),
    [
      { host: hostname(), pid: live.pid, since: '2026-01-02T03:04:05Z' },
      null,
      { host: 'node-7.cluster', pid: 77, since: '2026-01-02T03:04:05Z' },
      null,
    ],
  );
});
