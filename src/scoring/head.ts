// The log-prob head appended to a checkpoint's graph, so a session returns [batch, seq]
// next-token log-probs instead of [batch, seq, vocab] logits:
//   logits ─(Cast to float32 if float16)─ LogSoftmax(axis -1) ─ GatherElements(labels, axis 2)
//   ─ Reshape [0, -1] ─ cc_head.logprobs
// The head travels as a small ModelProto holding only these graph parts, concatenated after
// the model's own bytes: protobuf merges the two, so the weights are never decoded or copied
// into a new file, and the checkpoint file is never touched. LogSoftmax + GatherElements rather
// than ReduceLogSumExp: the latter is several times slower per element in the CPU kernels.
import { promises as fs } from 'node:fs';
import { GraphBuilder } from '../core/onnx/builder';
import { encodeGraphFragment } from '../core/onnx/encode';
import { DataType } from '../core/onnx/schema';
import { FileError } from '../core/fileError';
import type { FloatType } from './plan';

/** Names of what the head adds; the prefix keeps them apart from any exporter's names. */
export const HEAD_LABELS = 'cc_head.labels';
export const HEAD_OUTPUT = 'cc_head.logprobs';

/** The fragment to append after the model bytes. `labels` is int64 [batch, seq, 1]. */
function logprobHeadFragment(logitsType: FloatType, logitsName = 'logits'): Uint8Array {
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

/**
 * The model file read into a buffer with room for the head, then the head: the weights are
 * copied once (reading the file, then appending, would copy them twice).
 */
export async function readWithLogprobHead(modelPath: string, logitsType: FloatType): Promise<Uint8Array> {
  const fragment = logprobHeadFragment(logitsType);
  const h = await fs.open(modelPath, 'r');
  try {
    const { size } = await h.stat();
    const buf = new Uint8Array(size + fragment.length);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await h.read(buf, at, Math.min(size - at, 1 << 26), at);
      if (bytesRead === 0) throw new FileError(modelPath, 'file shrank while being read (being rewritten?)', 'unreadable');
      at += bytesRead;
    }
    buf.set(fragment, size);
    return buf;
  } finally {
    await h.close();
  }
}
