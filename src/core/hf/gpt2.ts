// GPT-2 (transformers/models/gpt2/modeling_gpt2.py: GPT2Model, GPT2Block, GPT2Attention,
// GPT2MLP): learned token and position embeddings, pre-LayerNorm blocks, the fused c_attn
// split into q, k, v, an MLP with the configured activation (gelu_new by default), ln_f and a
// head tied to wte unless lm_head.weight is stored. Conv1D weights are [in, out]. Files from
// the hub name tensors without the `transformer.` prefix the Trainer writes; the old
// attn.bias / attn.masked_bias buffers are never read.
import type { Decoder } from './decoder';
import { HF_IO } from './decoder';

export function gpt2Body(d: Decoder): void {
  const { g, spec: s } = d;
  const D = s.hidden;
  const p = d.w.has('transformer.wte.weight') ? 'transformer.' : '';
  let x = g.node('Add', [d.tokens(`${p}wte.weight`), d.embed(d.w.take(`${p}wpe.weight`, [s.context, D]), HF_IO.positions)]);
  for (let l = 0; l < s.layers; l++) {
    const b = `${p}h.${l}.`;
    const qkv = d.project(d.layerNorm(x, `${b}ln_1`), `${b}attn.c_attn.weight`, [D, 3 * D], `${b}attn.c_attn.bias`, true);
    const [q, k, v] = g.nodeN('Split', [qkv, g.constI64([D, D, D])], 3, { axis: 1 }) as [string, string, string];
    let ctx = d.attention(q, k, v, l);
    if (l === s.layers - 1) [ctx, x] = [d.scored(ctx), d.scored(x)];
    x = g.node('Add', [x, d.project(ctx, `${b}attn.c_proj.weight`, [D, D], `${b}attn.c_proj.bias`, true)]);
    const h = d.act(d.project(d.layerNorm(x, `${b}ln_2`), `${b}mlp.c_fc.weight`, [D, s.inner], `${b}mlp.c_fc.bias`, true));
    x = g.node('Add', [x, d.project(h, `${b}mlp.c_proj.weight`, [s.inner, D], `${b}mlp.c_proj.bias`, true)]);
  }
  d.head(x, (h) => d.layerNorm(h, `${p}ln_f`), s.tiedHead || !d.w.has('lm_head.weight') ? `${p}wte.weight` : 'lm_head.weight');
}
