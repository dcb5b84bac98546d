// An ONNX export as a prepared model: its plan from the signature, its bytes with the
// log-prob head appended, and right-padded batches of whole sequences (exactly the export's
// shape when it fixed one).
import { dirname } from 'node:path';
import { fixedBatches, planBatches } from '../batching';
import { batchFeeds, feedShape } from '../feeds';
import { HEAD_OUTPUT, readWithLogprobHead } from '../head';
import { planCheckpoint } from '../planCheckpoint';
import type { PreparedModel } from './types';

type Log = (level: 'info' | 'warning', message: string) => void;

export async function prepareOnnx(modelPath: string, label: string, log?: Log): Promise<PreparedModel> {
  const plan = await planCheckpoint(modelPath, label, log);
  return {
    format: 'onnx',
    vocab: plan.vocab,
    maxTokens: plan.maxTokens,
    fixedBatch: plan.fixedBatch,
    weightsDir: dirname(modelPath),
    output: HEAD_OUTPUT,
    bytes: () => readWithLogprobHead(modelPath, plan.logitsType),
    batches(seqs, budget) {
      const lengths = seqs.map((s) => s.promptIds.length + s.responseIds.length);
      const batches = plan.fixedBatch ? fixedBatches(lengths, plan.fixedBatch) : planBatches(lengths, budget);
      return batches.map((b) => ({ members: b.members, ...feedShape(plan, b.members.length, b.seqLen) }));
    },
    feeds(seqs, batch) {
      const members = batch.members.map((k) => seqs[k]);
      // Response token j sits at position p + j; the output one position earlier predicts it.
      return { feeds: batchFeeds(plan, members, batch.seqLen), starts: members.map((s, r) => r * batch.seqLen + s.promptIds.length - 1) };
    },
  };
}
