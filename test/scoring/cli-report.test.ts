// The report command around the numbers: failed checkpoints listed while the others are
// reported, the text and CSV forms, stdout holding only the report, and the errors.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args';
import { parseReportArgs } from '../../src/cli/report';
import { DEFAULT_SETTLE_MS } from '../../src/core/layout';
import { bigramModel, constantLogitsModel, writeModel } from '../../src/core/onnx/models';
import { bernoulliLogits, report, reportJson, writeRun, type ReportJson } from './cli-report.fixture';
import { lcg } from './helpers';
import { tempDir } from '../support/temp';
import { fileScope } from '../support/cli';

const ROOT = join(__dirname, '..', '..');

/** Two good bigram checkpoints with ref_logprob from a third table, and garbage at step 300. */
function goodAndBad(dir: string): void {
  const vocab = 5;
  const r = lcg(3);
  const table = () => Float32Array.from({ length: vocab * vocab }, () => r() * 4);
  const lines = Array.from({ length: 30 }, () => ({
    prompt: [Math.floor(r() * vocab)],
    response: Array.from({ length: 4 }, () => Math.floor(r() * vocab)),
    ref: -4 * Math.log(vocab) + (r() - 0.5),
  }));
  writeRun(dir, { lines, models: { 100: bigramModel({ table: table(), vocab }), 200: bigramModel({ table: table(), vocab }) } });
  mkdirSync(join(dir, 'step-300'));
  writeFileSync(join(dir, 'step-300', 'model.onnx'), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x13, 0x37]));
}

// Written before the other tests run, so that a spawned CLI, which applies the run contract's
// settle time to freshly written files, usually finds it settled without waiting.
const settledRun = { dir: '', written: 0 };
const lifetime = fileScope();
before(() => {
  settledRun.dir = tempDir(lifetime);
  writeRun(settledRun.dir, {
    lines: [[0], [1]].map((y) => ({ prompt: [0], response: y, ref: Math.log(0.5) })),
    models: { 7: constantLogitsModel({ logits: bernoulliLogits(0.5) }) },
  });
  settledRun.written = Date.now();
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'report', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a checkpoint that cannot be scored is in `failed` and on stderr; the others are reported', async (t) => {
  const dir = tempDir(t);
  goodAndBad(dir);
  const { json, err } = await reportJson([dir], dir);
  assert.deepEqual(
    json.checkpoints.map((c) => c.step),
    [100, 200],
  );
  assert.equal(json.failed.length, 1);
  assert.equal(json.failed[0].step, 300);
  assert.equal(json.failed[0].path, 'step-300/model.onnx');
  // `path` names the checkpoint, so the reason does not repeat it.
  assert.match(json.failed[0].reason, /^not a readable ONNX model: /);
  // Once as it happens (with the reason), once by name in the summary, never as a worker warning.
  assert.equal(err.match(/^failed: step-300\/model\.onnx: not a readable ONNX model: /gm)?.length, 1, err);
  assert.match(err, /3 checkpoint\(s\): 2 scored .*1 failed \(step-300\/model\.onnx\)/);
  assert.equal(err.split('step-300/model.onnx').length - 1, 2, err);
  assert.ok(json.suggested && [100, 200].includes(json.suggested.step));

  // The second time every good score comes from the store; the bad one fails again.
  const again = await report([dir, '--json'], dir);
  assert.equal(again.code, 0);
  assert.match(again.err, /: 0 scored in [\d.]+ s, 2 reused from the store/);
});

test('--csv: one row per checkpoint with the JSON numbers; text: table, markers and verdict', async (t) => {
  const dir = tempDir(t);
  goodAndBad(dir);
  const { json } = await reportJson([dir, '--selection-n', '4'], dir);
  assert.equal(json.selectionN, 4);
  const csv = await report([dir, '--csv', '--selection-n', '4'], dir);
  assert.equal(csv.code, 0);
  const [head, ...rows] = csv.out
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
  assert.equal(rows.length, 2, 'failures are not rows');
  const col = (name: string) => {
    const j = head.indexOf(name);
    assert.ok(j >= 0, name);
    return j;
  };
  for (const [i, c] of json.checkpoints.entries()) {
    const cells = rows[i];
    assert.equal(cells.length, head.length);
    assert.equal(Number(cells[col('step')]), c.step);
    assert.equal(cells[col('path')], c.path);
    assert.equal(Number(cells[col('ce_per_token')]), c.cePerToken);
    assert.equal(Number(cells[col('kl')]), c.kl);
    assert.equal(Number(cells[col('cov_16')]), c.coverage['16']);
    assert.equal(Number(cells[col('tournament_score')]), c.tournamentScore);
    assert.equal(Number(cells[col('suggested')]), json.suggested!.step === c.step ? 1 : 0);
  }
  const text = await report([dir, '--selection-n', '4'], dir);
  assert.equal(text.code, 0);
  assert.match(text.out, /^reference: generator · samples: 30 of 30 · selection N = 4/);
  assert.match(text.out, /◀ suggested/);
  assert.match(text.out, /◀ lowest CE/);
  assert.match(text.out, /failed: step 300 step-300\/model\.onnx/);
  const lines = text.out.trimEnd().split('\n');
  assert.match(lines[lines.length - 1], /^(Suggested step|Step) \d+/, 'ends with the verdict');
});

test('coverage.json naming an eval set outside the run: refused naming the key, read with --allow-outside', async (t) => {
  const parent = tempDir(t);
  const dir = join(parent, 'run');
  mkdirSync(dir);
  writeRun(dir, {
    lines: [[0], [1]].map((y) => ({ prompt: [0], response: y })),
    models: { 7: constantLogitsModel({ logits: bernoulliLogits(0.5) }) },
    coverage: { eval: '../e.jsonl' },
  });
  renameSync(join(dir, 'eval.jsonl'), join(parent, 'e.jsonl'));
  await assert.rejects(report([dir], dir), (e: Error) => {
    assert.ok(e.message.startsWith(`${join(dir, 'coverage.json')}: "eval" is "../e.jsonl", which is outside the run folder`), e.message);
    return true;
  });
  const { json } = await reportJson([dir, '--allow-outside'], dir);
  assert.deepEqual(
    json.checkpoints.map((c) => [c.step, c.samples, c.tokens]),
    [[7, 2, 2]],
  );
  // Every response is one token at probability 1/2.
  assert.ok(Math.abs((json.checkpoints[0].cePerToken as number) - Math.LN2) < 1e-6, String(json.checkpoints[0].cePerToken));
});

test('a reference model outside the run needs --allow-outside', async (t) => {
  const dir = tempDir(t);
  const outside = tempDir(t, 'cc-outside-');
  writeRun(dir, {
    lines: [
      [0, 1],
      [1, 1],
      [0, 0],
    ].map((y) => ({ prompt: [0], response: y })),
    models: { 1: constantLogitsModel({ logits: bernoulliLogits(0.3) }) },
  });
  writeModel(outside, 'ref.onnx', constantLogitsModel({ logits: bernoulliLogits(0.5) }));
  const ref = join(outside, 'ref.onnx');
  await assert.rejects(report([dir, '--reference', `model:${ref}`], dir), /outside the run folder .*--allow-outside/);
  const { json, err } = await reportJson([dir, '--reference', `model:${ref}`, '--allow-outside'], dir);
  assert.deepEqual(json.reference, { model: ref });
  assert.match(err, /reference model .*ref\.onnx: scored on cpu/);
  // r = 2 ln 0.5 on every sample; KL = mean of 2 ln 0.5 − s over the three responses.
  const s = (y: number[]) => y.reduce((a, b) => a + Math.log(b ? 0.3 : 0.7), 0);
  const kl =
    [
      [0, 1],
      [1, 1],
      [0, 0],
    ].reduce((a, y) => a + 2 * Math.log(0.5) - s(y), 0) / 3;
  assert.ok(Math.abs((json.checkpoints[0].kl as number) - kl) < 1e-5);
});

test('arguments: formats, selection N, reference forms, and usage errors', () => {
  const a = parseReportArgs(['run', '--json', '--selection-n', '8', '--reference', 'model:r/m.onnx', '--budget', '512'], '/w');
  assert.deepEqual(a, {
    runs: ['run'],
    allNested: false,
    format: 'json',
    selectionN: 8,
    reference: { model: '/w/r/m.onnx' },
    scoring: { provider: 'auto', tokenBudget: 512 },
    allowOutside: false,
    wait: true,
  });
  assert.equal(parseReportArgs(['run', '--no-wait'], '/w').wait, false);
  assert.deepEqual(parseReportArgs(['run', '--reference', 'x.onnx'], '/w').reference, { model: '/w/x.onnx' });
  assert.equal(parseReportArgs(['run', '--csv', '--reference', 'point-mass'], '/w').format, 'csv');
  for (const bad of [
    ['run', '--json', '--csv'],
    ['run', '--selection-n', '1'],
    ['run', '--selection-n', 'x'],
    ['run', '--reference', 'oracle'],
    ['run', '--provider', 'tpu'],
    [],
  ]) {
    assert.throws(() => parseReportArgs(bad, '/w'), UsageError, bad.join(' '));
  }
});

test('process: stdout holds only the JSON report; an unreadable run exits 1 with a message and no stdout', async (t) => {
  const { dir, written } = settledRun;
  const missing = cli([join(dir, 'no-such-run')]);
  assert.equal(missing.status, 1);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /no-such-run: cannot read the run folder \(ENOENT\)/);

  const badDir = tempDir(t);
  writeFileSync(join(badDir, 'coverage.json'), '{"selectionN": "many"}');
  await assert.rejects(report([badDir], badDir), /coverage\.json: "selectionN" must be a finite number greater than 1/);

  await new Promise((r) => setTimeout(r, Math.max(0, written + DEFAULT_SETTLE_MS + 100 - Date.now())));
  const ok = cli([dir, '--json', '--provider', 'cpu']);
  assert.equal(ok.status, 0, ok.stderr);
  const json = JSON.parse(ok.stdout) as ReportJson;
  assert.equal(json.checkpoints[0].step, 7);
  assert.match(ok.stderr, /1 checkpoint\(s\): 1 scored/);
});

test('a run with no checkpoints is an error, not an empty report', async (t) => {
  const dir = tempDir(t);
  writeRun(dir, { lines: [{ prompt: [0], response: [1] }], models: {} });
  const r = await report([dir, '--json'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /no checkpoints found/);
});
