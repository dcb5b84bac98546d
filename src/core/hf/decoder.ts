// The pieces every family's graph is made of, over hidden states kept 2-D [M, width]
// (M = rows × row length), so each projection is one Gemm on the stored weight: Hugging Face
// Linear weights are [out, in] (Gemm transB = 1), GPT-2's Conv1D weights [in, out].
//
// The graph scores packed rows: several samples share a row, each with its own positions
// (position_ids restart at 0) and a segment id; attention is causal within a segment and
// blind across segments, which is what each sample alone would see. Only the positions
// whose next token is scored go on after the last layer's attention (gather_index picks
// them from the M rows): everything after it is per token (output projection, MLP, final
// norm, LM head, log-softmax), so a prompt token costs the layers below and that attention.
//
// Token embeddings come in as an input (inputs_embeds), looked up by the scorer from the
// checkpoint file: a Gather in the graph would map the table and, page by page through the
// eval set, make all of it resident, beside the packed copy a tied head needs anyway.
import type { WeightRef } from '../safetensors';
import { GraphBuilder } from '../onnx/builder';
import { DataType } from '../onnx/schema';
import type { Activation, DecoderSpec } from './config';
import { WeightBinder } from './weights';

/** The graph's inputs and output. */
export const HF_IO = {
  embeds: 'inputs_embeds',
  positions: 'position_ids',
  segments: 'segment_ids',
  gather: 'gather_index',
  labels: 'labels',
  output: 'logprobs',
} as const;

/** float32's lowest value: what transformers adds to masked attention scores. */
const MASKED = -3.4028234663852886e38;

export class Decoder {
  readonly g = new GraphBuilder('hf_decoder');
  readonly w: WeightBinder;
  /** [rows, row length] of the batch, as an int64 shape tensor. */
  private readonly rowsByLength: string;
  private readonly masks = new Map<number | undefined, string>();
  private rotary?: { cos: string; sin: string };
  /** The token embedding table the scorer reads inputs_embeds from (set by tokens()). */
  embedding?: WeightRef;

  constructor(
    readonly spec: DecoderSpec,
    tensors: ConstructorParameters<typeof WeightBinder>[1],
    label: string,
  ) {
    this.w = new WeightBinder(this.g, tensors, label);
    const g = this.g;
    g.input(HF_IO.embeds, DataType.FLOAT, ['rows', 'row_length', spec.hidden]);
    for (const name of [HF_IO.positions, HF_IO.segments]) g.input(name, DataType.INT64, ['rows', 'row_length']);
    g.input(HF_IO.gather, DataType.INT64, ['scored']);
    g.input(HF_IO.labels, DataType.INT64, ['scored']);
    g.output(HF_IO.output, DataType.FLOAT, ['scored']);
    this.rowsByLength = g.node('Shape', [HF_IO.positions]);
  }

  /** The token embeddings [M, width], read from tensor `table` by the scorer. */
  tokens(table: string): string {
    this.embedding = this.w.check(table, [this.spec.vocab, this.spec.hidden]);
    return this.flat(HF_IO.embeds);
  }

  /** Rows of `table` [n, width] at int64 `ids` [rows, T], flattened to [M, width]. */
  embed(table: string, ids: string): string {
    return this.flat(this.g.node('Gather', [table, ids], { axis: 0 }));
  }

  flat(x: string, width = this.spec.hidden): string {
    return this.g.node('Reshape', [x, this.g.constI64([-1, width])]);
  }

  /** x·Wᵀ + b for a Linear weight [out, in]; x·W + b for a Conv1D weight [in, out]. */
  project(x: string, weight: string, shape: [number, number], bias?: string, conv1d = false): string {
    const w = this.w.take(weight, shape);
    const out = conv1d ? shape[1] : shape[0];
    const inputs = bias ? [x, w, this.w.take(bias, [out])] : [x, w];
    return this.g.node('Gemm', inputs, conv1d ? {} : { transB: 1 });
  }

  layerNorm(x: string, prefix: string): string {
    const d = this.spec.hidden;
    return this.g.node('LayerNormalization', [x, this.w.take(`${prefix}.weight`, [d]), this.w.take(`${prefix}.bias`, [d])], {
      axis: -1,
      epsilon: { f: this.spec.eps },
    });
  }

  /** x / sqrt(mean(x²) + eps) · weight, in the node order onnxruntime fuses into one kernel. */
  rmsNorm(x: string, weight: string, width = this.spec.hidden): string {
    const g = this.g;
    const ms = g.node('ReduceMean', [g.node('Pow', [x, g.constF([2], [])])], { axes: [-1], keepdims: 1 });
    const rms = g.node('Sqrt', [g.node('Add', [ms, g.constF([this.spec.eps], [])])]);
    return g.node('Mul', [g.node('Div', [x, rms]), this.w.take(weight, [width])]);
  }

  act(x: string, a: Activation = this.spec.act): string {
    const g = this.g;
    const half = (inner: string): string =>
      g.node('Mul', [g.node('Mul', [x, g.node('Add', [inner, g.constF([1], [])])]), g.constF([0.5], [])]);
    switch (a) {
      case 'gelu':
        return half(g.node('Erf', [g.node('Div', [x, g.constF([Math.SQRT2], [])])]));
      case 'gelu_tanh': {
        const cube = g.node('Mul', [g.node('Pow', [x, g.constF([3], [])]), g.constF([0.044715], [])]);
        return half(g.node('Tanh', [g.node('Mul', [g.node('Add', [x, cube]), g.constF([Math.sqrt(2 / Math.PI)], [])])]));
      }
      case 'relu':
        return g.node('Relu', [x]);
      case 'silu':
        return g.node('Mul', [x, g.node('Sigmoid', [x])]);
    }
  }

  /**
   * Attention for layer `l` on projected q [M, heads·hd], k and v [M, kvHeads·hd]; returns
   * [M, heads·hd]. Grouped-query heads: query head h reads key/value head h / group (in
   * order, as transformers' repeat_kv), done by a broadcasting MatMul on a [.., kv, group, ..]
   * view instead of copying the keys.
   */
  attention(q: string, k: string, v: string, l: number): string {
    const g = this.g;
    const { heads, kvHeads, headDim: hd } = this.spec;
    const group = heads / kvHeads;
    const toHeads = (x: string, n: number): string =>
      g.node('Transpose', [g.node('Reshape', [x, this.shape([n, hd])])], { perm: [0, 2, 1, 3] });
    let qh = toHeads(q, heads),
      kh = toHeads(k, kvHeads);
    const vh = toHeads(v, kvHeads);
    if (this.spec.rope) {
      qh = this.rotate(qh);
      kh = this.rotate(kh);
    }
    const kt = g.node('Transpose', [kh], { perm: [0, 1, 3, 2] });
    const scale = g.constF([this.spec.attnScale[l]], []);
    let ctx: string;
    if (group === 1) {
      const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [qh, kt]), scale]), this.mask(this.spec.window[l], 4)]);
      ctx = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), vh]);
    } else {
      // [R, heads, T, hd] → [R, kv, group, T, hd] against keys [R, kv, 1, T, hd].
      const qg = g.node('Reshape', [qh, g.constI64([0, kvHeads, group, -1, hd])]);
      const one = g.constI64([2]);
      const scores = g.node('Add', [
        g.node('Mul', [g.node('MatMul', [qg, g.node('Unsqueeze', [kt, one])]), scale]),
        this.mask(this.spec.window[l], 5),
      ]);
      const c5 = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), g.node('Unsqueeze', [vh, one])]);
      ctx = g.node('Reshape', [c5, g.constI64([0, heads, -1, hd])]);
    }
    return this.flat(g.node('Transpose', [ctx], { perm: [0, 2, 1, 3] }), heads * hd);
  }

  /** The rows of the positions whose next token is scored, [scored, width], from x [M, width]. */
  scored(x: string): string {
    return this.g.node('Gather', [x, HF_IO.gather], { axis: 0 });
  }

  /**
   * The log-probs from the scored positions' last hidden states [scored, width]. The head's
   * Gemm comes first in the node list, which shapes peak memory and never the numbers:
   * onnxruntime packs weights in node order, and packing briefly holds a weight both mapped
   * and packed; the largest weight then peaks before the others' packed copies exist instead
   * of on top of them. onnxruntime sorts the graph itself, so the order of the list does not
   * change what runs.
   */
  head(x: string, finalNorm: (x: string) => string, weight: string): void {
    const g = this.g;
    const { vocab, hidden } = this.spec;
    const picked = finalNorm(x);
    const logits = g.node('Gemm', [picked, this.w.take(weight, [vocab, hidden])], { transB: 1 });
    g.nodes.unshift(...g.nodes.splice(g.nodes.length - 1, 1));
    const logp = g.node('LogSoftmax', [logits], { axis: -1 });
    const at = g.node('GatherElements', [logp, g.node('Unsqueeze', [HF_IO.labels, g.constI64([1])])], { axis: 1 });
    g.node('Reshape', [at, g.constI64([-1])], {}, HF_IO.output);
  }

  /** [R, T, ...tail] as a shape tensor. */
  private shape(tail: number[]): string {
    return this.g.node('Concat', [this.rowsByLength, this.g.constI64(tail)], { axis: 0 });
  }

  /**
   * The additive attention mask [R, 1, T, T] (rank 5 adds a group axis): 0 where key j is in
   * the query's segment and at or before it (and within the sliding window), float32's
   * lowest elsewhere. Every query sees itself, so no row is all masked.
   */
  private mask(window: number | undefined, rank: 4 | 5): string {
    const key = rank === 4 ? window : window === undefined ? -1 : -1 - window;
    const known = this.masks.get(key);
    if (known) return known;
    const g = this.g;
    const seg = HF_IO.segments;
    const same = g.node('Equal', [g.node('Unsqueeze', [seg, g.constI64([2])]), g.node('Unsqueeze', [seg, g.constI64([1])])]);
    const T = g.node('Gather', [this.rowsByLength, g.constI64([1], [])], { axis: 0 });
    const idx = g.node('Range', [g.constI64([0], []), T, g.constI64([1], [])]);
    const qi = g.node('Unsqueeze', [idx, g.constI64([1])]);
    const kj = g.node('Unsqueeze', [idx, g.constI64([0])]);
    let allowed = g.node('LessOrEqual', [kj, qi]);
    // masking_utils.sliding_window_overlay: key j is kept when j > i − window.
    if (window !== undefined) allowed = g.node('And', [allowed, g.node('Less', [g.node('Sub', [qi, kj]), g.constI64([window], [])])]);
    const keep = g.node('And', [same, allowed]);
    const bias = g.node('Where', [keep, g.constF([0], []), g.constF([MASKED], [])]);
    const out = g.node('Unsqueeze', [bias, g.constI64(rank === 4 ? [1] : [1, 2])]);
    this.masks.set(key, out);
    return out;
  }

  /** Rotate-half RoPE on the first `dims` of each head of x [R, n, T, hd]. */
  private rotate(x: string): string {
    const g = this.g;
    const { dims } = this.spec.rope!;
    const hd = this.spec.headDim;
    const { cos, sin } = (this.rotary ??= this.cosSin());
    let rot = x,
      pass: string | undefined;
    if (dims < hd) [rot, pass] = g.nodeN('Split', [x, g.constI64([dims, hd - dims])], 2, { axis: -1 }) as [string, string];
    const [x1, x2] = g.nodeN('Split', [rot, g.constI64([dims / 2, dims / 2])], 2, { axis: -1 }) as [string, string];
    const half = g.node('Concat', [g.node('Neg', [x2]), x1], { axis: -1 });
    const out = g.node('Add', [g.node('Mul', [rot, cos]), g.node('Mul', [half, sin])]);
    return pass ? g.node('Concat', [out, pass], { axis: -1 }) : out;
  }

  /** cos and sin [R, 1, T, dims] of positions × frequencies, each frequency twice (cat(f, f)). */
  private cosSin(): { cos: string; sin: string } {
    const g = this.g;
    const pos = g.node('Unsqueeze', [g.node('Cast', [HF_IO.positions], { to: DataType.FLOAT }), g.constI64([2])]);
    const f = g.node('Mul', [pos, g.constF(this.spec.rope!.invFreq)]);
    const angles = g.node('Unsqueeze', [g.node('Concat', [f, f], { axis: -1 }), g.constI64([1])]);
    return { cos: g.node('Cos', [angles]), sin: g.node('Sin', [angles]) };
  }
}
