// Token embedding rows read from the checkpoint file decode each dtype exactly as float32,
// repeated ids included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, readSafetensorsHeader } from '../../src/core/safetensors';
import { EmbeddingRows } from '../../src/scoring/model/embeddings';
import { tempDir } from '../support/temp';

const u16 = (xs: number[]) => new Uint8Array(Uint16Array.from(xs).buffer);

test('F32, F16 and BF16 rows decode to the float32 values they hold', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'model.safetensors');
  writeFileSync(
    file,
    encodeSafetensors([
      { name: 'f32', dtype: 'F32', shape: [2, 3], data: new Uint8Array(Float32Array.from([0.5, -1.25, 3e-39, 7, 8, 9]).buffer) },
      // 1, −2, the smallest subnormal 2⁻²⁴ | 65504 (largest), +Inf, 0x3555 = 0.333251953125
      { name: 'f16', dtype: 'F16', shape: [2, 3], data: u16([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x3555]) },
      // 1, −3.140625, 0 | −0, 2⁻¹³³ (bf16 subnormal), 1.5
      { name: 'bf16', dtype: 'BF16', shape: [2, 3], data: u16([0x3f80, 0xc049, 0x0000, 0x8000, 0x0001, 0x3fc0]) },
    ]),
  );
  const h = await readSafetensorsHeader(file);
  const read = (name: string): number[] => {
    const rows = new EmbeddingRows({ ...h.tensors.get(name)!, file, fileName: 'model.safetensors' });
    const out = new Float32Array(9);
    rows.fill([1, 0, 1], out);
    return [...out];
  };
  const f = (xs: number[]) => [...Float32Array.from(xs)];
  assert.deepEqual(read('f32'), f([7, 8, 9, 0.5, -1.25, 3e-39, 7, 8, 9]));
  assert.deepEqual(read('f16'), f([65504, Infinity, 0.333251953125, 1, -2, 2 ** -24, 65504, Infinity, 0.333251953125]));
  assert.deepEqual(read('bf16'), f([-0, 2 ** -133, 1.5, 1, -3.140625, 0, -0, 2 ** -133, 1.5]));
  assert.ok(Object.is(read('bf16')[0], -0));
});
