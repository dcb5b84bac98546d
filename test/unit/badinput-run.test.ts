// Bad run folders through `checkpoint-coverage runs`: a coverage.json with wrong types,
// unknown keys or paths leading out; link loops; files nobody may read; and .onnx files that
// are empty, cut short, random bytes or models we cannot drive. Each is named with what was
// expected, the rest of the run still lists, and the exit code says whether it can be scored.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { command as runs } from '../../src/cli/runs';
import { writeModel } from '../../src/core/onnx/models';
import { callCommand, fileScope, fixture, settle, spawnCli, unprivileged } from '../support/cli';
import { externalWeightsModel, goodModel, noLogitsModel, randomModelBytes, truncatedModelBytes } from '../support/badModels';
import { tempRun } from '../support/temp';

const EVAL = '{"id":"a","prompt_ids":[1,2],"response_ids":[3]}\n{"id":"b","prompt_ids":[1],"response_ids":[9,2]}\n';
const lifetime = fileScope();

interface Listing {
  code: number;
  err: string;
  problems: { file: string; message: string }[];
  checkpoints: { path: string }[];
}
async function listing(root: string, ...flags: string[]): Promise<Listing> {
  const r = await callCommand(runs, [root, '--json', ...flags]);
  const j = JSON.parse(r.out) as Omit<Listing, 'code' | 'err'>;
  return { code: r.code, err: r.err, problems: j.problems, checkpoints: j.checkpoints };
}
const problemMap = (l: Listing) => Object.fromEntries(l.problems.map((p) => [p.file, p.message]));

// Runs whose checkpoints must be older than the 2 s "still being written" window are built
// once, before the tests, and waited for once.
let models: string;
let loops: string;
let perms: string;
before(async () => {
  models = tempRun(lifetime, { 'eval.jsonl': EVAL });
  const put = (dir: string, write: (folder: string) => void) => {
    mkdirSync(join(models, dir));
    write(join(models, dir));
  };
  put('step-1', (d) => writeModel(d, 'model.onnx', goodModel()));
  put('step-2', (d) => writeFileSync(join(d, 'model.onnx'), ''));
  put('step-3', (d) => writeFileSync(join(d, 'model.onnx'), truncatedModelBytes()));
  // 0x0c starts a field with wire type 4 (a deprecated group end), which ONNX never writes.
  put('step-4', (d) => writeFileSync(join(d, 'model.onnx'), Buffer.concat([Buffer.from([0x0c]), randomModelBytes()])));
  put('step-5', (d) => writeModel(d, 'model.onnx', noLogitsModel()));
  put('step-6', (d) => writeModel(d, 'model.onnx', goodModel(4)));
  put('step-7', (d) => writeModel(d, 'model.onnx', { model: externalWeightsModel().model }));
  // Vocabulary 3: both eval samples hold an id beyond it (step 6, vocabulary 4: only one does).
  put('step-8', (d) => writeModel(d, 'model.onnx', goodModel(3)));

  loops = tempRun(lifetime, { 'eval.jsonl': EVAL });
  mkdirSync(join(loops, 'step-1'));
  writeModel(join(loops, 'step-1'), 'model.onnx', goodModel());
  mkdirSync(join(loops, 'a/b'), { recursive: true });
  symlinkSync('..', join(loops, 'a/b/up'));
  symlinkSync('self', join(loops, 'self'));
  symlinkSync('step-1', join(loops, 'step-9'));
  symlinkSync('..', join(loops, 'latest'));

  perms = tempRun(lifetime, { 'eval.jsonl': EVAL });
  for (const d of ['step-1', 'step-2', 'locked']) mkdirSync(join(perms, d));
  writeModel(join(perms, 'step-1'), 'model.onnx', goodModel());
  writeModel(join(perms, 'step-2'), 'model.onnx', goodModel(8));
  chmodSync(join(perms, 'step-2', 'model.onnx'), 0o000);
  chmodSync(join(perms, 'locked'), 0o000);
  await settle();
});

test('coverage.json with wrong types, unknown keys, paths leading out, bad JSON: exit 1 naming file and key', async (t) => {
  const runFor = (name: string) => {
    const root = tempRun(t, { 'coverage.json': fixture(`config/${name}.json`), 'eval.jsonl': EVAL });
    symlinkSync('..', join(root, 'link-out'));
    return root;
  };
  const names = ['wrong-types', 'unknown-keys', 'outside-paths', 'not-json', 'not-object'];
  const roots = names.map(runFor);
  // The entry point once, for the exit code and the streams; the command itself for the rest
  // (main prints a thrown error as `checkpoint-coverage runs: <message>` and exits 1).
  const spawned = await spawnCli(['runs', roots[0]]);
  assert.equal(spawned.code, 1);
  assert.equal(spawned.out, '');
  const messages = [spawned.err.replace(/^checkpoint-coverage runs: /, '').trimEnd()];
  for (const r of roots.slice(1)) {
    messages.push(
      await callCommand(runs, [r]).then(
        () => 'no error',
        (e: Error) => e.message,
      ),
    );
  }
  const expected: Record<string, string[]> = {
    'wrong-types': [
      '"eval" must be a non-empty path string, found 42',
      '"tokenizer" must be a non-empty path string, found ""',
      '"store" must be a non-empty path string, found null',
      '"reference" is "best"; expected "generator", "point-mass", "tournament" or {"model": "<path to a model>"}',
      '"nGrid" has 0 at [1]; expected finite numbers N ≥ 1',
      '"selectionN" must be a finite number greater than 1, found "16"',
      '"tokensPerStep" must be a positive number, found -5',
    ],
    'unknown-keys': [
      '"evalSet" is not a setting; expected one of eval, tokenizer, reference, nGrid, selectionN, tokensPerStep, store',
      '"selection_n" is not a setting; expected one of eval, tokenizer, reference, nGrid, selectionN, tokensPerStep, store',
      '"reference.dtype" is not a setting; expected only "model"',
    ],
    'outside-paths': [
      'eval" is "../eval.jsonl',
      'tokenizer" is "/etc/tokenizer.json',
      'store" is "link-out/store',
      'reference.model" is "../../ref.onnx',
    ].map((k) => `"${k}", which is outside the run folder; paths must stay inside it unless the workspace is trusted`),
    'not-object': ['expected a JSON object of settings, found an array'],
  };
  names.forEach((name, i) => {
    const prefix = `${join(roots[i], 'coverage.json')}: `;
    assert.ok(messages[i].startsWith(prefix), messages[i]);
    const body = messages[i].slice(prefix.length);
    if (name === 'not-json') assert.match(body, /^not valid JSON \(.+\)$/);
    else assert.equal(body, expected[name].join('; '), name);
  });
  // A trusted workspace (--allow-outside) lets the same paths through; what is missing is then reported by the eval reader.
  const trusted = await callCommand(runs, [roots[2], '--allow-outside']);
  assert.equal(trusted.code, 1);
  assert.equal(
    trusted.err,
    "checkpoint-coverage runs: /etc/tokenizer.json: cannot read the tokenizer (ENOENT: no such file or directory, open '/etc/tokenizer.json'); expected a Hugging Face tokenizer.json\n",
  );
});

test('.onnx files that are empty, cut short, random bytes, or models we cannot drive are named; the others still list', async () => {
  const l = await listing(models);
  assert.equal(l.code, 0, l.err);
  assert.deepEqual(
    l.checkpoints.map((k) => k.path),
    [1, 2, 3, 4, 5, 6, 7, 8].map((s) => `step-${s}/model.onnx`),
  );
  const p = problemMap(l);
  assert.deepEqual(
    Object.keys(p),
    [2, 3, 4, 5, 6, 7, 8].map((s) => `step-${s}/model.onnx`),
  );
  assert.equal(p['step-2/model.onnx'], 'cannot be scored: not a readable ONNX model: the file is empty (at byte 0)');
  assert.match(
    p['step-3/model.onnx'],
    /^cannot be scored: not a readable ONNX model: field \d+ declares \d+ bytes but only \d+ remain \(truncated file\?\) \(at byte \d+\)$/,
  );
  assert.equal(
    p['step-4/model.onnx'],
    'cannot be scored: not a readable ONNX model: field 1 has wire type 4, which ONNX never uses (at byte 0)',
  );
  assert.match(
    p['step-5/model.onnx'],
    /^cannot be scored: it has no logits output\. The model has inputs .* and outputs scores float32 \[batch_size, sequence_length, 16\]; we need .*output logits \[batch, seq, vocab\] float32\/float16\.$/,
  );
  // One stray id: that sample will be skipped, the checkpoint scored. Ids beyond the vocabulary in every sample: the eval set is for another model.
  assert.equal(
    p['step-6/model.onnx'],
    "1 eval sample(s) will be skipped (and left out for every checkpoint): eval.jsonl:2 (id b) has token id 9 (response token 0), outside the model's vocabulary of 4; skipped",
  );
  assert.equal(
    p['step-8/model.onnx'],
    "cannot be scored: 2 of 2 samples have token ids outside the model's vocabulary of 3: eval.jsonl:1 (id a): response token 0 is id 3; eval.jsonl:2 (id b): response token 0 is id 9. " +
      'Was the eval set tokenized with another tokenizer? (A few such samples, up to 1% of the eval set, would be skipped; this many fail the checkpoint.)',
  );
  assert.equal(
    p['step-7/model.onnx'],
    `cannot be scored: the external weights file model.onnx_data it names is missing (expected at ${join(models, 'step-7', 'model.onnx_data')})`,
  );
});

test('link loops, a link to a folder above the run and a self-link are reported and the scan goes on; a linked checkpoint is listed once', async () => {
  const l = await listing(loops);
  assert.equal(l.code, 0, l.err);
  assert.deepEqual(
    l.checkpoints.map((k) => k.path),
    ['step-1/model.onnx'],
  );
  assert.deepEqual(problemMap(l), {
    'a/b/up': "symbolic link loop: leads back to 'a'; not followed",
    latest: `symbolic link loop: leads to '${realpathSync(dirname(loops))}', which contains the run folder; not followed`,
    self: 'cannot read (ELOOP); skipped',
    'step-9': "leads to a folder already scanned as 'step-1'; not scanned twice",
  });
});

test('an eval.jsonl or coverage.json that is a link loop: exit 1 naming it', async (t) => {
  const a = tempRun(t, {});
  symlinkSync('eval.jsonl', join(a, 'eval.jsonl'));
  const ra = await callCommand(runs, [a]);
  assert.equal(ra.code, 1);
  assert.equal(ra.err, `checkpoint-coverage runs: ${join(a, 'eval.jsonl')}: cannot read the eval set (ELOOP)\n`);
  const b = tempRun(t, { 'eval.jsonl': EVAL });
  symlinkSync('coverage.json', join(b, 'coverage.json'));
  await assert.rejects(callCommand(runs, [b]), { message: `${join(b, 'coverage.json')}: cannot read (ELOOP)` });
});

const user = unprivileged();
test('files and folders the user may not read: named with EACCES, the rest still lists', { skip: user.skip }, async (t) => {
  const evalLocked = tempRun(t, { 'eval.jsonl': EVAL });
  chmodSync(join(evalLocked, 'eval.jsonl'), 0o000);
  const configLocked = tempRun(t, { 'eval.jsonl': EVAL, 'coverage.json': '{}' });
  chmodSync(join(configLocked, 'coverage.json'), 0o000);
  const [main, ev, cfg] = await Promise.all(
    [perms, evalLocked, configLocked].map((r) => spawnCli(['runs', r, '--json'], { uid: user.uid })),
  );

  assert.equal(main.code, 0, main.err);
  const j = JSON.parse(main.out) as { checkpoints: { path: string }[]; problems: { file: string; message: string }[] };
  assert.deepEqual(
    j.checkpoints.map((k) => k.path),
    ['step-1/model.onnx', 'step-2/model.onnx'],
  );
  assert.deepEqual(j.problems, [
    { file: 'locked', message: 'cannot read this folder (EACCES); skipped' },
    { file: 'step-2/model.onnx', message: 'cannot be scored: cannot read the model: EACCES: permission denied' },
  ]);
  assert.equal(ev.code, 1);
  assert.equal(ev.err, `checkpoint-coverage runs: ${join(evalLocked, 'eval.jsonl')}: cannot read the eval set (EACCES)\n`);
  assert.equal(cfg.code, 1);
  assert.equal(cfg.out, '');
  assert.equal(cfg.err, `checkpoint-coverage runs: ${join(configLocked, 'coverage.json')}: cannot read (EACCES)\n`);
});
