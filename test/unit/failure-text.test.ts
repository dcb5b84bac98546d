// A checkpoint's failure reason names the checkpoint once: the absolute model path the lower
// layers put in front, and the path Node's fs errors append, are dropped; other files stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointFailure, checkpointReason } from '../../src/scoring/failureText';

const names = { path: 'step-2/model.onnx', modelPath: '/runs/r1/step-2/model.onnx' };

test('a leading model path or run-relative path (or both, as the worker sent them) is dropped', () => {
  assert.equal(checkpointReason('/runs/r1/step-2/model.onnx: not a readable ONNX model: the file is empty (at byte 0)', names), 'not a readable ONNX model: the file is empty (at byte 0)');
  assert.equal(checkpointReason('step-2/model.onnx: /runs/r1/step-2/model.onnx: logits have rank 2', names), 'logits have rank 2');
  assert.equal(checkpointFailure('step-2/model.onnx: it has no logits output', names), 'step-2/model.onnx: it has no logits output');
  assert.equal(checkpointFailure('the scoring worker stopped 2 times on this checkpoint', names), 'step-2/model.onnx: the scoring worker stopped 2 times on this checkpoint');
});

test("Node's \", open '<model>'\" suffix is dropped; a path first named in the message is not repeated", () => {
  assert.equal(checkpointReason("/runs/r1/step-2/model.onnx: cannot read the model: EACCES: permission denied, open '/runs/r1/step-2/model.onnx'", names), 'cannot read the model: EACCES: permission denied');
  const data = '/runs/r1/step-2/model.onnx_data';
  assert.equal(checkpointReason(`${data}: cannot read checkpoint file (ENOENT: no such file or directory, stat '${data}')`, names), `${data}: cannot read checkpoint file (ENOENT: no such file or directory)`);
});

test('other files a reason names (external weights, the eval file, the store) stay', () => {
  const m = '/runs/r1/step-2/model.onnx: the external weights file model.onnx_data it names is missing (expected at /runs/r1/step-2/model.onnx_data)';
  assert.equal(checkpointReason(m, names), 'the external weights file model.onnx_data it names is missing (expected at /runs/r1/step-2/model.onnx_data)');
  const w = "cannot write scores to /runs/r1/.coverage/scores/x.ccscores: ENOSPC: no space left on device, open '/runs/r1/.coverage/scores/x.tmp'";
  assert.equal(checkpointReason(w, names), w);
});
