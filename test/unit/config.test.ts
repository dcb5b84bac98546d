// The coverage.json validator: defaults, every key, wrong types, unknown keys, escaping paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DEFAULT_N_GRID, DEFAULT_SELECTION_N, chooseReference, loadConfig, validateConfig } from '../../src/core/runConfig';
import type { EvalSample } from '../../src/core/types';
import { tempDir, tempRun } from '../support/temp';

/** The messages a config gives, in order, or [] when it is valid. */
async function messages(raw: unknown, root: string, allowOutside = false): Promise<string[]> {
  try {
    await validateConfig(raw, root, join(root, 'coverage.json'), { allowOutside });
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.ok(e.message.startsWith(join(root, 'coverage.json') + ': '), 'the error names the file');
    return e.problems.map((p) => p.message);
  }
}

test('no coverage.json: the documented defaults', async (t) => {
  const root = tempRun(t);
  const c = await loadConfig(root);
  assert.deepEqual(c, { eval: join(root, 'eval.jsonl'), store: join(root, '.coverage'), nGrid: [...DEFAULT_N_GRID], selectionN: 16 });
  assert.equal(DEFAULT_SELECTION_N, 16);
  assert.deepEqual(
    DEFAULT_N_GRID,
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576],
  );
  // A tokenizer.json at the root is picked up without being named.
  writeFileSync(join(root, 'tokenizer.json'), '{}');
  assert.equal((await loadConfig(root)).tokenizer, join(root, 'tokenizer.json'));
});

test('every key, valid', async (t) => {
  const root = tempRun(t);
  writeFileSync(
    join(root, 'coverage.json'),
    JSON.stringify({
      eval: 'data/e.jsonl',
      tokenizer: 'tok/tokenizer.json',
      reference: { model: 'ref/big.onnx' },
      nGrid: [64, 1, 2.5, 64, 1],
      selectionN: 1.5,
      tokensPerStep: 524288,
      store: 'out/cc',
    }),
  );
  const c = await loadConfig(root);
  assert.deepEqual(c, {
    file: join(root, 'coverage.json'),
    eval: join(root, 'data/e.jsonl'),
    tokenizer: join(root, 'tok/tokenizer.json'),
    store: join(root, 'out/cc'),
    reference: { model: join(root, 'ref/big.onnx') },
    nGrid: [1, 2.5, 64],
    selectionN: 1.5,
    tokensPerStep: 524288,
  });
  for (const mode of ['generator', 'point-mass', 'tournament']) {
    assert.equal((await validateConfig({ reference: mode }, root, undefined)).reference, mode);
  }
});

test('wrong types and values name the key and what was expected', async (t) => {
  const root = tempRun(t);
  const cases: [object, string][] = [
    [{ eval: 3 }, '"eval" must be a non-empty path string, found 3'],
    [{ eval: '' }, '"eval" must be a non-empty path string, found ""'],
    [{ tokenizer: ['a'] }, '"tokenizer" must be a non-empty path string, found an array'],
    [{ store: null }, '"store" must be a non-empty path string, found null'],
    [{ reference: 'best' }, '"reference" is "best"; expected "generator", "point-mass", "tournament" or {"model": "<path to a model>"}'],
    [{ reference: 1 }, '"reference" must be "generator", "point-mass", "tournament" or {"model": "<path to a model>"}, found 1'],
    [{ reference: {} }, '"reference.model" must be a non-empty path string, found null'],
    [
      { reference: { model: 'ref.bin' } },
      '"reference.model" is "ref.bin"; expected a path to an .onnx file, a model.safetensors or a model.safetensors.index.json',
    ],
    [{ reference: { model: 'r.onnx', kind: 1 } }, '"reference.kind" is not a setting; expected only "model"'],
    [{ nGrid: 16 }, '"nGrid" must be a non-empty array of numbers N ≥ 1, found 16'],
    [{ nGrid: [] }, '"nGrid" must be a non-empty array of numbers N ≥ 1, found an empty array'],
    [{ nGrid: [1, 0.5] }, '"nGrid" has 0.5 at [1]; expected finite numbers N ≥ 1'],
    [{ nGrid: [1, '2'] }, '"nGrid" has "2" at [1]; expected finite numbers N ≥ 1'],
    [{ selectionN: 1 }, '"selectionN" must be a finite number greater than 1, found 1'],
    [{ selectionN: '16' }, '"selectionN" must be a finite number greater than 1, found "16"'],
    [{ tokensPerStep: 0 }, '"tokensPerStep" must be a positive number, found 0'],
    [{ tokensPerStep: true }, '"tokensPerStep" must be a positive number, found true'],
    [{ evalFile: 'x' }, '"evalFile" is not a setting; expected one of eval, tokenizer, reference, nGrid, selectionN, tokensPerStep, store'],
  ];
  for (const [raw, message] of cases) assert.deepEqual(await messages(raw, root), [message], JSON.stringify(raw));
  // All problems at once, each with its key as subject.
  await assert.rejects(
    validateConfig({ selectionN: 0, foo: 1 }, root, 'c.json'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.map((p) => p.subject).join() === 'foo,selectionN' &&
      e.problems.every((p) => p.file === 'c.json'),
  );
});

test('not an object, not JSON: errors naming the file', async (t) => {
  const root = tempRun(t);
  assert.deepEqual(await messages([1], root), ['expected a JSON object of settings, found an array']);
  writeFileSync(join(root, 'coverage.json'), '{"eval": ');
  await assert.rejects(loadConfig(root), (e: unknown) => e instanceof ConfigError && /coverage\.json: not valid JSON/.test(e.message));
});

test('paths that escape the run folder are refused unless allowed', async (t) => {
  const root = tempRun(t);
  const outside = tempDir(t, 'cc-outside-');
  writeFileSync(join(outside, 'e.jsonl'), '');
  mkdirSync(join(root, 'sub'));
  symlinkSync(join(outside, 'e.jsonl'), join(root, 'sub', 'link.jsonl'));
  for (const [key, value] of [
    ['eval', '../e.jsonl'],
    ['tokenizer', join(outside, 't.json')],
    ['store', '..'],
    ['eval', 'sub/link.jsonl'],
  ] as const) {
    assert.deepEqual(await messages({ [key]: value }, root), [
      `"${key}" is ${JSON.stringify(value)}, which is outside the run folder; paths must stay inside it unless the workspace is trusted`,
    ]);
  }
  assert.deepEqual(await messages({ reference: { model: '../r.onnx' } }, root), [
    '"reference.model" is "../r.onnx", which is outside the run folder; paths must stay inside it unless the workspace is trusted',
  ]);
  // Inside after normalisation is fine; and a trusted workspace may point anywhere.
  assert.deepEqual(await messages({ eval: 'sub/../e.jsonl' }, root), []);
  const c = await validateConfig({ eval: '../e.jsonl', reference: { model: '/models/r.onnx' } }, root, undefined, { allowOutside: true });
  assert.equal(c.eval, join(root, '..', 'e.jsonl'));
  assert.deepEqual(c.reference, { model: '/models/r.onnx' });
});

test('default reference: generator when every sample has ref_logprob, else tournament', async (t) => {
  const root = tempRun(t);
  const c = await loadConfig(root);
  const s = (ref?: number): EvalSample => ({
    index: 0,
    line: 1,
    promptIds: new Int32Array(0),
    responseIds: Int32Array.from([1]),
    ...(ref === undefined ? {} : { refLogprob: ref }),
  });
  assert.equal(chooseReference(c, [s(-1), s(-2)]), 'generator');
  assert.equal(chooseReference(c, [s(-1), s()]), 'tournament');
  assert.equal(chooseReference(c, []), 'tournament');
  assert.equal(chooseReference({ ...c, reference: 'point-mass' }, [s(-1)]), 'point-mass');
});
