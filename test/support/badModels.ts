// ONNX files that must fail (or score) in a known way, built at test time with the project's
// own writer: broken bytes, models with the wrong signature, and models whose logits are not
// numbers. None of these are committed; each is a few hundred bytes.
import { randomBytes } from 'node:crypto';
import { GraphBuilder } from '../../src/core/onnx/builder';
import { bigramModel, constantLogitsModel, type BuiltModel } from '../../src/core/onnx/models';
import { BATCH, buildModel, SEQ } from '../../src/core/onnx/model-build';
import { DataType } from '../../src/core/onnx/schema';

/** A valid model cut to `fraction` of its bytes (a copy stopped half-way). */
export function truncatedModelBytes(fraction = 0.5): Uint8Array {
  const bytes = constantLogitsModel({ logits: [0, 1, 2, 3] }).model;
  return bytes.subarray(0, Math.max(1, Math.floor(bytes.length * fraction)));
}

/** Random bytes named .onnx (a mis-named download, a corrupted file). */
export function randomModelBytes(n = 512): Uint8Array {
  return randomBytes(n);
}

function inputs(g: GraphBuilder): string {
  g.input('attention_mask', DataType.INT64, [BATCH, SEQ]);
  return g.input('input_ids', DataType.INT64, [BATCH, SEQ]);
}

/**
 * A bigram lookup, `out`[b, t, :] = table[input_ids[b, t], :], with the parts the broken
 * variants change: the output's name, the table's type, where its bytes are kept.
 */
function lookupModel(name: string, o: { vocab: number; table: Float32Array | BigInt64Array; out?: string; dataName?: string }): BuiltModel {
  const type = o.table instanceof BigInt64Array ? DataType.INT64 : DataType.FLOAT;
  const out = o.out ?? 'logits';
  const g = new GraphBuilder(name);
  const ids = inputs(g);
  const t = g.initializer('bigram_table', type, [o.vocab, o.vocab], o.table);
  g.node('Gather', [t, ids], { axis: 0 }, out);
  g.output(out, type, [BATCH, SEQ, o.vocab]);
  return buildModel(g.graph(), undefined, o.dataName);
}

/** The bigram model, but its output is called `scores`: no `logits` to read. */
export function noLogitsModel(vocab = 16): BuiltModel {
  return lookupModel('no_logits', { vocab, table: new Float32Array(vocab * vocab), out: 'scores' });
}

/** `logits` [batch, vocab]: one distribution per sequence instead of one per position. */
export function rank2LogitsModel(vocab = 16): BuiltModel {
  const g = new GraphBuilder('rank2');
  const ids = inputs(g);
  const first = g.node('Gather', [ids, g.constI64([0], [])], { axis: 1 });
  const t = g.initializer('table', DataType.FLOAT, [vocab, vocab], new Float32Array(vocab * vocab));
  g.node('Gather', [t, first], { axis: 0 }, 'logits');
  g.output('logits', DataType.FLOAT, [BATCH, vocab]);
  return buildModel(g.graph());
}

/** `logits` of type int64 (a quantized or mis-exported head). */
export function intLogitsModel(vocab = 16): BuiltModel {
  return lookupModel('int_logits', { vocab, table: new BigInt64Array(vocab * vocab) });
}

/** Constant logits with one entry replaced: NaN, +Inf or -Inf at token `at`. */
export function nonFiniteLogitsModel(value: number, vocab = 16, at = 0): BuiltModel {
  const logits = Array.from({ length: vocab }, (_, i) => (i === at ? value : 0));
  return constantLogitsModel({ logits });
}

/**
 * A bigram model whose table (vocab² floats, over the writer's inline limit) lives in an
 * external file `dataName`, as large exports keep their weights.
 */
export function externalWeightsModel(vocab = 16, dataName = 'model.onnx_data'): BuiltModel {
  const table = Float32Array.from({ length: vocab * vocab }, (_, i) => (i % 7) / 7);
  return lookupModel('external', { vocab, table, dataName });
}

/** A well-formed bigram model with a fixed table, to score beside the broken ones. */
export function goodModel(vocab = 16): BuiltModel {
  const table = Float32Array.from({ length: vocab * vocab }, (_, i) => Math.sin(i));
  return bigramModel({ table, vocab });
}
