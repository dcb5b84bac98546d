// Test models with the Hugging Face / Optimum causal-LM signature: inputs `input_ids` and
// `attention_mask` (int64 [batch_size, sequence_length]), output `logits` (float32
// [batch_size, sequence_length, vocab]). The constant and bigram models have closed-form
// next-token distributions for known-answer tests.
import { GraphBuilder } from './builder';
import type { BuiltModel } from './external';
import { BATCH, buildModel, SEQ } from './model-build';
import { DataType } from './schema';

export { writeModel, type BuiltModel } from './external';
export { BATCH, IR_VERSION, OPSET, SEQ } from './model-build';
export { gpt2Model, gpt2Weights, type Gpt2Options, type Gpt2Weights } from './gpt2';

function causalInputs(g: GraphBuilder): { ids: string; mask: string } {
  return {
    ids: g.input('input_ids', DataType.INT64, [BATCH, SEQ]),
    mask: g.input('attention_mask', DataType.INT64, [BATCH, SEQ]),
  };
}

/** The same logits at every position: p(token) = softmax(logits) whatever the context. */
export function constantLogitsModel(o: { logits: ArrayLike<number> }): BuiltModel {
  const vocab = o.logits.length;
  if (vocab < 1) throw new Error('constantLogitsModel: logits must not be empty');
  const g = new GraphBuilder('constant_logits');
  const { ids } = causalInputs(g);
  const row = g.initializer('logits_row', DataType.FLOAT, [vocab], Float32Array.from(o.logits));
  const shape = g.node('Concat', [g.node('Shape', [ids]), g.constI64([vocab])], { axis: 0 });
  g.node('Expand', [row, shape], {}, 'logits');
  g.output('logits', DataType.FLOAT, [BATCH, SEQ, vocab]);
  return buildModel(g.graph());
}

/** logits[b, t, :] = table[input_ids[b, t], :] for a [vocab, vocab] row-major table. */
export function bigramModel(o: { table: Float32Array; vocab: number }): BuiltModel {
  const { table, vocab } = o;
  if (table.length !== vocab * vocab) {
    throw new Error(`bigramModel: table has ${table.length} values, expected vocab² = ${vocab * vocab}`);
  }
  const g = new GraphBuilder('bigram');
  const { ids } = causalInputs(g);
  const t = g.initializer('bigram_table', DataType.FLOAT, [vocab, vocab], table);
  g.node('Gather', [t, ids], { axis: 0 }, 'logits');
  g.output('logits', DataType.FLOAT, [BATCH, SEQ, vocab]);
  return buildModel(g.graph());
}
