// Fuzzing the way from an .onnx file to a scoring plan, as `runs` and the scorer take it:
// the streaming signature reader, then the signature check. Damaged GPT-2 exports (every
// signature variant: plain, position_ids, past, merged, external weights) end in a plan or
// an Error naming the file; never a hang, a crash or a non-Error. The reader's own fuzz on
// raw bytes lives in onnx/readSignature.test.ts; this one goes deeper into real exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { gpt2Model, type Gpt2Options } from '../../src/core/onnx/models';
import { readSignatureFromBytes } from '../../src/core/onnx/readSignature';
import { planInput, planModel } from '../../src/scoring/plan';
import { readModelSignature } from '../../src/scoring/planCheckpoint';
import { assertClearError, fuzzParams } from '../support/fuzz';
import { tempDir } from '../support/temp';

const tiny: Gpt2Options = { layers: 1, width: 8, heads: 2, vocab: 20, context: 8, seed: 3 };
const VARIANTS = [{}, { positionIds: true }, { past: true }, { merged: true, float16Logits: true }, { externalData: true }].map(
  (v) => gpt2Model({ ...tiny, ...v }).model,
);

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'repeat'; at: number; len: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
);

function mutate(model: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Buffer.from(model);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'flip' && b.length > 0) b[at] = m.value;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === 'repeat') b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at)]);
  }
  return b;
}

const damaged = fc
  .tuple(fc.integer({ min: 0, max: VARIANTS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([v, ms]) => mutate(VARIANTS[v], ms));

test('damaged exports in memory: a plan or an error naming the model', () => {
  let plans = 0;
  let errors = 0;
  fc.assert(
    fc.property(damaged, (bytes) => {
      try {
        planModel(planInput(readSignatureFromBytes(bytes, 'fuzz/model.onnx')), 'fuzz/model.onnx');
        plans++;
      } catch (e) {
        assertClearError(e, 'fuzz/model.onnx');
        errors++;
      }
    }),
    fuzzParams(2500, 'model signature, bytes'),
  );
  // Both outcomes occur: a generator that only made unreadable (or only harmless) damage would test one side.
  assert.ok(plans > 0 && errors > 0, `${plans} plans, ${errors} errors`);
});

test('damaged exports on disk, through the file reader and the external-weights check', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'model.onnx');
  let plans = 0;
  await fc.assert(
    fc.asyncProperty(damaged, async (bytes) => {
      writeFileSync(file, bytes);
      try {
        planModel(await readModelSignature(file), file);
        plans++;
      } catch (e) {
        assertClearError(e, file);
      }
    }),
    fuzzParams(300, 'model signature, files'),
  );
  // Mutations that miss the signature (inside weights) must still read: the fuzz is not all errors.
  assert.ok(plans > 0, 'no damaged model read at all');
});
