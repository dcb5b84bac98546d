// A GPT-2-shaped decoder with the Hugging Face / Optimum export signature, built from random
// weights: learned token and position embeddings, pre-LayerNorm blocks with causal
// self-attention that also honours attention_mask, a GELU MLP (Erf form), a final LayerNorm and
// an LM head tied to the token embedding.
import { GraphBuilder } from './builder';
import type { BuiltModel } from './external';
import { checkGpt2Options, gpt2Weights, type Gpt2Options, type Gpt2Weights } from './gpt2-weights';
import { BATCH, buildModel, SEQ } from './model-build';
import { DataType } from './schema';

export { gpt2Weights, type Gpt2Options, type Gpt2Weights } from './gpt2-weights';

const PAST = 'past_sequence_length';
const TOTAL = 'past_sequence_length + sequence_length';
const LN_EPS = 1e-5;
/** Additive bias for masked scores: large enough to zero them, finite so no row gets NaN. */
const MASKED = -1e9;

interface Names {
  ids: string;
  mask: string;
  pos?: string;
  past?: { key: string; value: string }[];
}

function layerNorm(g: GraphBuilder, x: string, gain: string, bias: string): string {
  return g.node('LayerNormalization', [x, gain, bias], { axis: -1, epsilon: { f: LN_EPS } });
}

function linear(g: GraphBuilder, x: string, w: string, b: string): string {
  return g.node('Add', [g.node('MatMul', [x, w]), b]);
}

/** Exact GELU, x·Φ(x), in the Erf form exporters write and onnxruntime fuses into one kernel. */
function gelu(g: GraphBuilder, x: string): string {
  const phi2 = g.node('Add', [g.node('Erf', [g.node('Div', [x, g.constF([Math.SQRT2], [])])]), g.constF([1], [])]);
  return g.node('Mul', [g.node('Mul', [x, phi2]), g.constF([0.5], [])]);
}

/**
 * The decoder body, added to `g` (the main graph or an If branch). Weights are the outer
 * graph's initializers named `w.*`; `withPast` concatenates the past keys/values.
 */
function decoderBody(g: GraphBuilder, o: Gpt2Options, n: Names, withPast: boolean, out: { logits: string; present?: string[] }): void {
  const d = o.width,
    h = o.heads,
    hd = d / h;
  const scalar = (i: number): string => g.constI64([i], []);
  const shIds = g.node('Shape', [n.ids]);
  const S = g.node('Gather', [shIds, scalar(1)], { axis: 0 });
  // Without past the keys are this call's tokens only: T = S (the mask must be [batch, S]).
  const T = withPast ? g.node('Gather', [g.node('Shape', [n.mask]), scalar(1)], { axis: 0 }) : S;
  const P = g.node('Sub', [T, S]);

  let pos = n.pos;
  if (!pos) {
    // Optimum's rule: positions count the attended tokens before each one.
    const cs = g.node('Sub', [g.node('CumSum', [n.mask, scalar(1)]), g.constI64([1], [])]);
    const full = g.node('Max', [cs, g.constI64([0], [])]);
    pos = g.node('Slice', [full, g.node('Unsqueeze', [P, g.constI64([0])]), g.node('Unsqueeze', [T, g.constI64([0])]), g.constI64([1])]);
  }
  let x = g.node('Add', [g.node('Gather', [`w.wte`, n.ids], { axis: 0 }), g.node('Gather', [`w.wpe`, pos], { axis: 0 })]);

  // bias[b, 0, i, j] = 0 where key j is at or before query P+i and attention_mask[b, j] = 1.
  const one = g.constI64([1], []);
  const keys = g.node('Unsqueeze', [g.node('Range', [g.constI64([0], []), T, one]), g.constI64([0])]);
  const queries = g.node('Unsqueeze', [g.node('Range', [g.node('Add', [P, one]), g.node('Add', [T, one]), one]), g.constI64([1])]);
  const causal = g.node('Less', [keys, queries]);
  const keep = g.node('Unsqueeze', [g.node('Cast', [n.mask], { to: DataType.BOOL }), g.constI64([1, 2])]);
  const bias = g.node('Where', [g.node('And', [causal, keep]), g.constF([0], []), g.constF([MASKED], [])]);

  const split = g.constI64([d, d, d]);
  const heads = g.constI64([0, 0, h, hd]);
  const merge = g.constI64([0, 0, d]);
  const scale = g.constF([1 / Math.sqrt(hd)], []);
  for (let l = 0; l < o.layers; l++) {
    const w = (k: string): string => `w.h${l}.${k}`;
    const a = layerNorm(g, x, w('ln1g'), w('ln1b'));
    const [q, k, v] = g.nodeN('Split', [linear(g, a, w('wqkv'), w('bqkv')), split], 3, { axis: 2 }) as [string, string, string];
    const toHeads = (t: string): string => g.node('Transpose', [g.node('Reshape', [t, heads])], { perm: [0, 2, 1, 3] });
    let kh = toHeads(k),
      vh = toHeads(v);
    if (withPast) {
      kh = g.node('Concat', [n.past![l]!.key, kh], { axis: 2 });
      vh = g.node('Concat', [n.past![l]!.value, vh], { axis: 2 });
    }
    if (out.present?.length) {
      g.node('Identity', [kh], {}, out.present[2 * l]);
      g.node('Identity', [vh], {}, out.present[2 * l + 1]);
    }
    const scores = g.node('Add', [
      g.node('MatMul', [g.node('Mul', [toHeads(q), scale]), g.node('Transpose', [kh], { perm: [0, 1, 3, 2] })]),
      bias,
    ]);
    const ctx = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), vh]);
    const merged = g.node('Reshape', [g.node('Transpose', [ctx], { perm: [0, 2, 1, 3] }), merge]);
    x = g.node('Add', [x, linear(g, merged, w('wo'), w('bo'))]);
    const m = gelu(g, linear(g, layerNorm(g, x, w('ln2g'), w('ln2b')), w('wfc'), w('bfc')));
    x = g.node('Add', [x, linear(g, m, w('wproj'), w('bproj'))]);
  }
  const flat = g.node('Reshape', [layerNorm(g, x, 'w.lnfg', 'w.lnfb'), g.constI64([-1, d])]);
  const logits2d = g.node('Gemm', [flat, 'w.wte'], { transB: 1 });
  const shape = g.node('Concat', [shIds, g.constI64([o.vocab])], { axis: 0 });
  if (o.float16Logits) {
    g.node('Cast', [g.node('Reshape', [logits2d, shape])], { to: DataType.FLOAT16 }, out.logits);
  } else {
    g.node('Reshape', [logits2d, shape], {}, out.logits);
  }
}

function addWeights(g: GraphBuilder, o: Gpt2Options, w: Gpt2Weights): void {
  const d = o.width,
    F = DataType.FLOAT;
  g.initializer('w.wte', F, [o.vocab, d], w.wte);
  g.initializer('w.wpe', F, [o.context, d], w.wpe);
  w.layers.forEach((lw, l) => {
    const dims: Record<keyof typeof lw, number[]> = {
      ln1g: [d],
      ln1b: [d],
      wqkv: [d, 3 * d],
      bqkv: [3 * d],
      wo: [d, d],
      bo: [d],
      ln2g: [d],
      ln2b: [d],
      wfc: [d, 4 * d],
      bfc: [4 * d],
      wproj: [4 * d, d],
      bproj: [d],
    };
    for (const k of Object.keys(dims) as (keyof typeof lw)[]) g.initializer(`w.h${l}.${k}`, F, dims[k], lw[k]);
  });
  g.initializer('w.lnfg', F, [d], w.lnfg);
  g.initializer('w.lnfb', F, [d], w.lnfb);
}

export function gpt2Model(o: Gpt2Options, weights?: Gpt2Weights): BuiltModel {
  checkGpt2Options(o);
  const w = weights ?? gpt2Weights(o);
  const past = Boolean(o.past || o.merged);
  const hd = o.width / o.heads;
  const g = new GraphBuilder('gpt2');
  addWeights(g, o, w);
  const n: Names = {
    ids: g.input('input_ids', DataType.INT64, [BATCH, SEQ]),
    mask: g.input('attention_mask', DataType.INT64, [BATCH, past ? TOTAL : SEQ]),
  };
  if (o.positionIds) n.pos = g.input('position_ids', DataType.INT64, [BATCH, SEQ]);
  const kvNames: string[] = [];
  if (past) {
    n.past = [];
    for (let l = 0; l < o.layers; l++) {
      const key = g.input(`past_key_values.${l}.key`, DataType.FLOAT, [BATCH, o.heads, PAST, hd]);
      const value = g.input(`past_key_values.${l}.value`, DataType.FLOAT, [BATCH, o.heads, PAST, hd]);
      n.past.push({ key, value });
      kvNames.push(`present.${l}.key`, `present.${l}.value`);
    }
  }
  const logitsType = o.float16Logits ? DataType.FLOAT16 : DataType.FLOAT;
  const declareOutputs = (b: GraphBuilder, names: { logits: string; present: string[] }): void => {
    b.output(names.logits, logitsType, [BATCH, SEQ, o.vocab]);
    for (const p of names.present) b.output(p, DataType.FLOAT, [BATCH, o.heads, past ? TOTAL : SEQ, hd]);
  };
  const outer = { logits: 'logits', present: kvNames };
  if (o.merged) {
    const cond = g.input('use_cache_branch', DataType.BOOL, [1]);
    const branch = (prefix: string, withPast: boolean): GraphBuilder => {
      const b = new GraphBuilder(`${prefix}branch`, prefix);
      const names = { logits: `${prefix}logits`, present: kvNames.map((k) => prefix + k) };
      decoderBody(b, o, n, withPast, names);
      declareOutputs(b, names);
      return b;
    };
    g.nodeN('If', [cond], ['logits', ...kvNames], {
      then_branch: { g: branch('with_past/', true).graph() },
      else_branch: { g: branch('no_past/', false).graph() },
    });
  } else {
    decoderBody(g, o, n, past, outer);
  }
  declareOutputs(g, outer);
  const metadata = { max_position_embeddings: String(o.context) };
  return buildModel(g.graph(), metadata, o.externalData ? 'model.onnx_data' : undefined);
}
