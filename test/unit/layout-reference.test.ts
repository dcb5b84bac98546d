// referenceEntry: the one entry a reference model is scored under, by the CLI and the extension.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceEntry } from '../../src/core/layout';
import { tempDir } from '../support/temp';

test('reference entry: run-relative path, step −1, and the external weights that exist beside it', async (t) => {
  const base = tempDir(t);
  const run = join(base, 'run');
  mkdirSync(join(run, 'ref'), { recursive: true });
  writeFileSync(join(run, 'ref', 'big.onnx'), 'm');
  writeFileSync(join(run, 'ref', 'big.onnx_data'), 'w');
  writeFileSync(join(run, 'ref', 'big.onnx.data'), 'w');
  writeFileSync(join(run, 'ref', 'small.onnx'), 'm');
  mkdirSync(join(run, 'ref', 'small.onnx_data')); // a folder is not a weights file
  writeFileSync(join(base, 'outside.onnx'), 'm');

  assert.deepEqual(await referenceEntry(run, 'ref/big.onnx'), {
    step: -1,
    path: 'ref/big.onnx',
    modelPath: join(run, 'ref', 'big.onnx'),
    dataPaths: [join(run, 'ref', 'big.onnx_data'), join(run, 'ref', 'big.onnx.data')],
    sameStep: [],
    format: 'onnx',
  });
  assert.deepEqual((await referenceEntry(run, join(run, 'ref', 'small.onnx'))).dataPaths, [], 'absolute path inside the run');
  assert.equal((await referenceEntry(run, join(run, 'ref', 'small.onnx'))).path, 'ref/small.onnx');
  const out = await referenceEntry(run, '../outside.onnx');
  assert.equal(out.path, join(base, 'outside.onnx'), 'outside the run: named by its absolute path');
  assert.deepEqual(out.dataPaths, []);
});

test('a safetensors reference: its config.json and the shards its index names are part of it', async (t) => {
  const run = tempDir(t);
  mkdirSync(join(run, 'one'));
  mkdirSync(join(run, 'sharded'));
  for (const f of ['one/model.safetensors', 'one/config.json', 'sharded/config.json', 'sharded/a.safetensors', 'sharded/b.safetensors'])
    writeFileSync(join(run, f), 'x');
  writeFileSync(
    join(run, 'sharded', 'model.safetensors.index.json'),
    JSON.stringify({ weight_map: { t0: 'a.safetensors', t1: 'b.safetensors', t2: 'a.safetensors' } }),
  );
  const one = await referenceEntry(run, 'one/model.safetensors');
  assert.deepEqual([one.path, one.format, one.dataPaths], ['one/model.safetensors', 'safetensors', [join(run, 'one', 'config.json')]]);
  const sharded = await referenceEntry(run, 'sharded/model.safetensors.index.json');
  assert.deepEqual(
    sharded.dataPaths,
    ['config.json', 'a.safetensors', 'b.safetensors'].map((n) => join(run, 'sharded', n)),
  );
});
