// Random GPT-2 weights from a seed. Kept apart from the graph so a float64 reference
// forward pass in the tests can use exactly the numbers the ONNX model holds.
import { fillNormal } from './random';

export interface Gpt2Options {
  layers: number;
  width: number;
  heads: number;
  vocab: number;
  context: number;
  seed: number;
  /** Add a `position_ids` int64 input (else positions are cumsum(attention_mask) - 1, floored at 0). */
  positionIds?: boolean;
  /** `past_key_values.{i}.key|value` inputs [batch, heads, past_len, head_dim] and `present.{i}.*` outputs. */
  past?: boolean;
  /** Merged decoder: past inputs plus a bool `use_cache_branch` [1]; false runs the no-cache path. */
  merged?: boolean;
  /** Emit `logits` as float16. */
  float16Logits?: boolean;
  /** Keep weights in `model.onnx_data` (BuiltModel.externalData). */
  externalData?: boolean;
  /** Standard deviation of the random weights (default 0.02, GPT-2's initializer range). */
  initScale?: number;
}

export interface Gpt2LayerWeights {
  ln1g: Float32Array;
  ln1b: Float32Array;
  /** [width, 3·width]: q, k, v side by side, heads contiguous within each. */
  wqkv: Float32Array;
  bqkv: Float32Array;
  wo: Float32Array;
  bo: Float32Array;
  ln2g: Float32Array;
  ln2b: Float32Array;
  wfc: Float32Array;
  bfc: Float32Array;
  wproj: Float32Array;
  bproj: Float32Array;
}

export interface Gpt2Weights {
  /** [vocab, width]; also the (tied) LM head. */
  wte: Float32Array;
  /** [context, width]. */
  wpe: Float32Array;
  layers: Gpt2LayerWeights[];
  lnfg: Float32Array;
  lnfb: Float32Array;
}

export function checkGpt2Options(o: Gpt2Options): void {
  for (const k of ['layers', 'width', 'heads', 'vocab', 'context'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`gpt2Model: ${k} must be a positive integer, got ${o[k]}`);
  }
  if (o.width % o.heads !== 0) throw new Error(`gpt2Model: width ${o.width} is not a multiple of heads ${o.heads}`);
  if (o.merged && o.past === false) throw new Error('gpt2Model: a merged decoder has past inputs (past: false contradicts merged)');
}

export function gpt2Weights(o: Gpt2Options): Gpt2Weights {
  checkGpt2Options(o);
  const d = o.width;
  const std = o.initScale ?? 0.02;
  let stream = 0;
  // One seeded stream per tensor, so a tensor's values do not depend on the shapes before it.
  const normal = (n: number, scale = std, mean = 0): Float32Array =>
    fillNormal(new Float32Array(n), (o.seed * 7919 + ++stream) >>> 0, scale, mean);
  // LayerNorm gains near 1 and small shifts: far from the identity so a mis-wired gain shows.
  const gain = (): Float32Array => normal(d, 0.1, 1);
  const layers = Array.from({ length: o.layers }, (): Gpt2LayerWeights => ({
    ln1g: gain(),
    ln1b: normal(d),
    wqkv: normal(d * 3 * d),
    bqkv: normal(3 * d),
    wo: normal(d * d),
    bo: normal(d),
    ln2g: gain(),
    ln2b: normal(d),
    wfc: normal(d * 4 * d),
    bfc: normal(4 * d),
    wproj: normal(4 * d * d),
    bproj: normal(d),
  }));
  return { wte: normal(o.vocab * d), wpe: normal(o.context * d), layers, lnfg: gain(), lnfb: normal(d) };
}
