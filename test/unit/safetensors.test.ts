// The safetensors reader on good files (written by our writer and by the fixture script,
// which follows the library's layout) and on bad ones: each refusal names the file, and the
// tensor where there is one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeHeader,
  encodeSafetensors,
  parseShardIndex,
  readCheckpointWeights,
  readSafetensorsHeader,
  type TensorToWrite,
} from '../../src/core/safetensors';
import { FileError } from '../../src/core/fileError';
import { tempRun } from '../support/temp';

const f32 = (name: string, shape: number[]): TensorToWrite => ({
  name,
  dtype: 'F32',
  shape,
  data: new Uint8Array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i).buffer),
});
const FIXTURES = join(__dirname, '..', 'fixtures', 'hf');

test('a header is padded to 8 bytes and round-trips with absolute offsets', async (t) => {
  const tensors = [f32('a', [2, 3]), { name: 'b', dtype: 'BF16', shape: [3], data: new Uint8Array(6) }, f32('c', [])];
  const head = encodeHeader(tensors, { format: 'pt' });
  assert.equal(head.length % 8, 0);
  const dir = tempRun(t, { 'model.safetensors': encodeSafetensors(tensors, { format: 'pt' }) });
  const h = await readSafetensorsHeader(join(dir, 'model.safetensors'));
  assert.equal(h.dataStart, head.length);
  assert.deepEqual(h.metadata, { format: 'pt' });
  assert.deepEqual(h.tensors.get('a'), { name: 'a', dtype: 'F32', shape: [2, 3], start: head.length, end: head.length + 24 });
  assert.deepEqual(h.tensors.get('b'), { name: 'b', dtype: 'BF16', shape: [3], start: head.length + 24, end: head.length + 30 });
  assert.deepEqual(h.tensors.get('c')?.shape, []);
  // The bytes a reference names are the tensor's own.
  const bytes = readFileSync(join(dir, 'model.safetensors'));
  const a = h.tensors.get('a')!;
  assert.deepEqual([...new Float32Array(bytes.buffer.slice(bytes.byteOffset + a.start, bytes.byteOffset + a.end))], [0, 1, 2, 3, 4, 5]);
});

test('the fixture files, written the way the safetensors library writes them, read back whole', async () => {
  const h = await readSafetensorsHeader(join(FIXTURES, 'gpt2-hub', 'model.safetensors'));
  assert.equal(h.dataStart % 8, 0);
  assert.equal(h.tensors.get('h.0.attn.bias')?.dtype, 'U8');
  assert.deepEqual(h.tensors.get('h.0.attn.masked_bias')?.shape, []);
  assert.deepEqual(h.tensors.get('wte.weight')?.shape, [64, 16]);
  const sharded = await readCheckpointWeights(join(FIXTURES, 'llama-tied-linear-sharded', 'model.safetensors.index.json'));
  assert.deepEqual(
    sharded.files.map((f) => f.split('/').pop()),
    ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
  );
  assert.equal(sharded.tensors.get('model.norm.weight')?.fileName, 'model-00002-of-00002.safetensors');
  assert.equal(sharded.tensors.has('lm_head.weight'), false, 'a tied head is not stored');
});

test('bad files are refused naming the file and what is wrong', async (t) => {
  const good = encodeSafetensors([f32('w', [4, 4])]);
  const withHeader = (json: string): Uint8Array => {
    const body = new TextEncoder().encode(json);
    const out = new Uint8Array(8 + body.length + 64);
    new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
    out.set(body, 8);
    return out;
  };
  const huge = new Uint8Array(good);
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /empty\.safetensors: not a safetensors file: 0 bytes, shorter than the 8-byte header length/],
    [
      'truncated',
      good.subarray(0, good.length - 10),
      /truncated\.safetensors: tensor w: its bytes end at \d+, beyond the file's \d+ bytes \(the file is truncated\)/,
    ],
    ['header-beyond', huge, /header-beyond\.safetensors: the header length is 1099511627776 bytes, beyond the file's \d+ bytes after it/],
    ['not-json', withHeader('{"w": nope}'), /not-json\.safetensors: the safetensors header is not valid JSON/],
    ['array', withHeader('[1, 2]      '), /array\.safetensors: the safetensors header is not a JSON object/],
    ['dtype', withHeader('{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}'), /dtype\.safetensors: tensor w: unknown dtype "Q7"/],
    [
      'size',
      withHeader('{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}'),
      /size\.safetensors: tensor w: holds 12 bytes, but F32 \[2,2\] needs 16/,
    ],
    [
      'offsets',
      withHeader('{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}'),
      /offsets\.safetensors: tensor w: data_offsets \[8,4\] are not \[begin, end\]/,
    ],
    [
      'shape',
      withHeader('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}'),
      /shape\.safetensors: tensor w: shape \[-1\] is not a list of sizes/,
    ],
  ];
  const dir = tempRun(t, Object.fromEntries(cases.map(([n, bytes]) => [`${n}.safetensors`, bytes])));
  for (const [n, , re] of cases) {
    await assert.rejects(readSafetensorsHeader(join(dir, `${n}.safetensors`)), (e: Error) => {
      assert.match(e.message, re, n);
      // A FileError: the file once, and a reason that does not repeat it.
      assert.ok(e instanceof FileError && e.file === join(dir, `${n}.safetensors`) && e.kind === 'bad-model', `${n}: ${e.message}`);
      assert.ok(!e.reason.includes(dir), `${n}: ${e.reason}`);
      return true;
    });
  }
  await assert.rejects(readSafetensorsHeader(join(dir, 'absent.safetensors')), (e: Error) => {
    assert.ok(e instanceof FileError && e.kind === 'unreadable');
    assert.equal(e.reason, 'cannot read the weights file (ENOENT: no such file or directory)');
    return true;
  });
});

test('an index names its shards: missing ones, paths and misplaced tensors are refused', async (t) => {
  const shard = encodeSafetensors([f32('a', [2])]);
  const index = (map: Record<string, string>) => JSON.stringify({ metadata: { total_size: 8 }, weight_map: map });
  const dir = tempRun(t, {
    'ok/model-00001-of-00002.safetensors': shard,
    'ok/model-00002-of-00002.safetensors': encodeSafetensors([f32('b', [3])]),
    'ok/model.safetensors.index.json': index({ a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' }),
    'missing/model-00001-of-00002.safetensors': shard,
    'missing/model.safetensors.index.json': index({ a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' }),
    'misplaced/model-00001-of-00001.safetensors': shard,
    'misplaced/model.safetensors.index.json': index({ a: 'model-00001-of-00001.safetensors', z: 'model-00001-of-00001.safetensors' }),
  });
  const ok = await readCheckpointWeights(join(dir, 'ok/model.safetensors.index.json'));
  assert.deepEqual([...ok.tensors.keys()].sort(), ['a', 'b']);
  await assert.rejects(
    readCheckpointWeights(join(dir, 'missing/model.safetensors.index.json')),
    new RegExp(
      `missing/model\\.safetensors\\.index\\.json: names the shard model-00002-of-00002\\.safetensors, which is missing \\(expected at ${dir}/missing/model-00002-of-00002\\.safetensors\\)`,
    ),
  );
  await assert.rejects(
    readCheckpointWeights(join(dir, 'misplaced/model.safetensors.index.json')),
    /misplaced\/model\.safetensors\.index\.json: places tensor z in model-00001-of-00001\.safetensors, which does not hold it/,
  );
  assert.throws(
    () => parseShardIndex(index({ a: '../elsewhere.safetensors' }), 'i.json'),
    /i\.json: "weight_map" gives tensor a the shard "\.\.\/elsewhere\.safetensors"; expected a file name in the same folder/,
  );
  assert.throws(() => parseShardIndex('{"weight_map": []}', 'i.json'), /i\.json: expected a JSON object with a "weight_map" object/);
  assert.throws(() => parseShardIndex('{', 'i.json'), /i\.json: not valid JSON/);
});

test('weight files behind links (the Hugging Face cache) are located in their real folder', async (t) => {
  const dir = tempRun(t, { 'blobs/1a2b': encodeSafetensors([f32('a', [2])]), 'other/3c4d': encodeSafetensors([f32('b', [2])]) });
  mkdirSync(join(dir, 'snap'));
  symlinkSync('../blobs/1a2b', join(dir, 'snap', 'model.safetensors'));
  const w = await readCheckpointWeights(join(dir, 'snap', 'model.safetensors'));
  assert.equal(w.weightsDir, join(dir, 'blobs'));
  assert.equal(w.tensors.get('a')?.fileName, '1a2b');
  assert.equal(w.tensors.get('a')?.file, join(dir, 'snap', 'model.safetensors'));
  // Shards in two real folders cannot share one external-data folder.
  mkdirSync(join(dir, 'split'));
  symlinkSync('../blobs/1a2b', join(dir, 'split', 'model-00001-of-00002.safetensors'));
  symlinkSync('../other/3c4d', join(dir, 'split', 'model-00002-of-00002.safetensors'));
  writeFileSync(
    join(dir, 'split', 'model.safetensors.index.json'),
    JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
  );
  await assert.rejects(
    readCheckpointWeights(join(dir, 'split', 'model.safetensors.index.json')),
    /onnxruntime needs all weight files of a checkpoint in one folder/,
  );
});
