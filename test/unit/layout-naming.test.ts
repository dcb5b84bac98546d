// The naming rule of README.md, form by form, and the near misses that must not match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStep, pickModel, isInProgressName } from '../../src/core/layout/naming';

test('every documented step form parses, case-insensitively, as a decimal integer', () => {
  const cases: [string, number][] = [
    ['step-1200', 1200],
    ['step_1200', 1200],
    ['checkpoint-1200', 1200],
    ['ckpt-1200', 1200],
    ['iter_0001200', 1200],
    ['global_step1200', 1200],
    ['global-step-7', 7],
    ['STEP-5', 5],
    ['Checkpoint_9', 9],
    ['CKPT-0', 0],
    ['step1200', 1200],
    ['run3_step-1200', 1200],
    ['gpt2.step-10', 10],
    ['model-ckpt_0042', 42],
    ['iter-00000000', 0],
  ];
  for (const [name, step] of cases) assert.deepEqual(parseStep(name), { step }, name);
});

test('near misses do not carry a step', () => {
  for (const name of [
    'step-12a',
    'steps-3',
    'mystep-5',
    'step-1.5',
    'step--3',
    'step-',
    'step',
    'step-1200-final',
    'epoch-3',
    'step 12',
    'checkpoints-4',
    'stepx-1',
    'iteration-5',
    'global_steps10',
    'step-+3',
    'step-1e3',
    'step-0x10',
    'ckpt-٣',
    'prestep_4',
  ]) {
    assert.equal(parseStep(name), undefined, name);
  }
});

test('a step beyond exact integers is refused, not rounded', () => {
  assert.deepEqual(parseStep('step-9007199254740993'), { tooLarge: '9007199254740993' });
  assert.deepEqual(parseStep('step-9007199254740991'), { step: 9007199254740991 });
});

test('model choice in a step folder', () => {
  assert.deepEqual(pickModel(['a.onnx']), { model: 'a.onnx' });
  assert.deepEqual(pickModel(['model_fp16.onnx', 'Model.onnx']), { model: 'Model.onnx' });
  assert.deepEqual(pickModel(['decoder_model.onnx', 'decoder_model_merged.onnx']), { model: 'decoder_model_merged.onnx' });
  assert.deepEqual(pickModel(['decoder_model.onnx', 'decoder_with_past_model.onnx', 'decoder_model_merged.onnx']), {
    model: 'decoder_model_merged.onnx',
  });
  assert.deepEqual(pickModel(['decoder_with_past_model.onnx', 'decoder_model.onnx']), { model: 'decoder_model.onnx' });
  assert.deepEqual(pickModel(['encoder_model.onnx', 'decoder_model.onnx']), { ambiguous: ['decoder_model.onnx', 'encoder_model.onnx'] });
  assert.deepEqual(pickModel(['b.onnx', 'a.onnx']), { ambiguous: ['a.onnx', 'b.onnx'] });
  assert.equal(pickModel([]), undefined);
});

test('in-progress names', () => {
  for (const n of ['model.onnx.tmp', 'x.PARTIAL', 'a.incomplete', '.model.onnx', '.DS_Store']) assert.ok(isInProgressName(n), n);
  for (const n of ['model.onnx', 'model.onnx_data', 'tmp.onnx']) assert.ok(!isInProgressName(n), n);
});
