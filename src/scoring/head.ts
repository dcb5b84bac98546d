// The log-prob head appended to a checkpoint's graph, so a session returns [batch, seq]
// next-token log-probs instead of [batch, seq, vocab] logits:
//   logits ─(Cast to float32 if float16)─ LogSoftmax(axis -1) ─ GatherElements(labels, axis 2)
//   ─ Reshape [0, -1] ─ cc_head.logprobs
// The head travels as a small ModelProto holding only these graph parts, concatenated after
// the model's own bytes: protobuf merges the two, so the weights are never decoded or copied
// into a new file, and the checkpoint file is never touched. LogSoftmax + GatherElements rather
// than ReduceLogSumExp: the latter is several times slower per element in the CPU kernels.
import { GraphBuilder } from '../core/onnx/builder';
import { appendGraphFragment, encodeGraphFragment } from '../core/onnx/encode';
import { DataType } from '../core/onnx/schema';
import type { FloatType } from './signature';

/** Names of what the head adds; the prefix keeps them apart from any exporter's names. */
export const HEAD_LABELS = 'cc_head.labels';
export const HEAD_OUTPUT = 'cc_head.logprobs';

/** The fragment to append after the model bytes. `labels` is int64 [batch, seq, 1]. */
export function logprobHeadFragment(logitsType: FloatType, logitsName = 'logits'): Uint8Array {
  const g = new GraphBuilder('', 'cc_head.');
  let x = logitsName;
  // float16 log-softmax would lose the small differences between large logits.
  if (logitsType === 'float16') x = g.node('Cast', [x], { to: DataType.FLOAT });
  const logp = g.node('LogSoftmax', [x], { axis: -1 });
  const labels = g.input(HEAD_LABELS, DataType.INT64, ['cc_batch', 'cc_seq', 1]);
  const picked = g.node('GatherElements', [logp, labels], { axis: 2 });
  g.node('Reshape', [picked, g.constI64([0, -1])], {}, HEAD_OUTPUT);
  g.output(HEAD_OUTPUT, DataType.FLOAT, ['cc_batch', 'cc_seq']);
  const { name: _unnamed, ...graph } = g.graph();
  return encodeGraphFragment(graph);
}

/** The model's bytes with the head appended (one copy of the bytes). */
export function withLogprobHead(modelBytes: Uint8Array, logitsType: FloatType): Uint8Array {
  return appendGraphFragment(modelBytes, logprobHeadFragment(logitsType));
}
