// Input tensors for one batch: sequences (prompt then response) right-padded to the batch's
// length, the attention mask, position ids from the mask, empty past tensors and the labels
// the head gathers at (the next token at each position). A model exported with fixed shapes
// gets exactly its shape: rows padded to its sequence length, and a short batch filled up to
// its batch size with copies of the first row (real tokens, so the filler cannot upset the
// model; its outputs are never read).
import * as ort from 'onnxruntime-node';
import type { Sequence } from './batching';
import { HEAD_LABELS } from './head';
import type { IdType, ModelPlan } from './plan';

function idTensor(type: IdType, values: ArrayLike<number>, dims: number[]): ort.Tensor {
  if (type === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]);
  return new ort.Tensor('int64', out, dims);
}

/** The [rows, length] a batch of `members` samples padded to `seqLen` is fed as. */
export function feedShape(
  plan: Pick<ModelPlan, 'fixedBatch' | 'fixedSeq'>,
  members: number,
  seqLen: number,
): { rows: number; seqLen: number } {
  return { rows: plan.fixedBatch ?? members, seqLen: plan.fixedSeq ?? seqLen };
}

export function batchFeeds(plan: ModelPlan, members: Sequence[], longest: number): Record<string, ort.Tensor> {
  const { rows: b, seqLen } = feedShape(plan, members.length, longest);
  const seqs = Array.from({ length: b }, (_, r) => members[r] ?? members[0]);
  const ids = new Int32Array(b * seqLen);
  const mask = new Int32Array(b * seqLen);
  // Hugging Face derives positions as cumsum(mask) - 1 and puts 1 on padding; with right
  // padding that is 0..len-1 on the tokens.
  const pos = new Int32Array(b * seqLen).fill(1);
  const labels = new BigInt64Array(b * seqLen);
  seqs.forEach((s, r) => {
    const row = r * seqLen;
    ids.set(s.promptIds, row);
    ids.set(s.responseIds, row + s.promptIds.length);
    const len = s.promptIds.length + s.responseIds.length;
    for (let t = 0; t < len; t++) {
      mask[row + t] = 1;
      pos[row + t] = t;
      // Position t's output is scored against the token at t + 1; the last has no next token.
      if (t + 1 < len) labels[row + t] = BigInt(ids[row + t + 1]);
    }
  });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: idTensor(plan.idsType, ids, [b, seqLen]),
    [HEAD_LABELS]: new ort.Tensor('int64', labels, [b, seqLen, 1]),
  };
  if (plan.mask) feeds[plan.mask.name] = idTensor(plan.mask.type, mask, [b, seqLen]);
  if (plan.positionIds) feeds[plan.positionIds.name] = idTensor(plan.positionIds.type, pos, [b, seqLen]);
  for (const p of plan.past) {
    const dims = [b, p.heads, 0, p.headDim];
    feeds[p.name] =
      p.type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
  }
  if (plan.useCacheBranch) feeds[plan.useCacheBranch] = new ort.Tensor('bool', Uint8Array.from([0]), [1]);
  return feeds;
}
