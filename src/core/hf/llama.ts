// The Llama family (transformers/models/llama/modeling_llama.py: LlamaDecoderLayer,
// LlamaAttention, LlamaMLP, LlamaRMSNorm), which Mistral and Qwen2 repeat with other flags
// (modeling_mistral.py: a sliding window; modeling_qwen2.py: q/k/v biases), and OLMo-2
// (modeling_olmo2.py: Olmo2Attention RMS-normalises q and k over the whole projection before
// splitting heads; Olmo2DecoderLayer has no input norms and normalises each sublayer's
// output before its residual add). RMSNorm before attention and MLP, grouped-query heads,
// rotate-half RoPE, MLP down(act(gate(x)) · up(x)), model.norm, and lm_head unless tied.
import type { Decoder } from './decoder';

export function llamaBody(d: Decoder): void {
  const { g, spec: s } = d;
  const D = s.hidden,
    I = s.inner,
    qw = s.heads * s.headDim,
    kvw = s.kvHeads * s.headDim;
  const olmo2 = s.modelType === 'olmo2';
  const bias = (name: string, on: boolean): string | undefined => (on ? name : undefined);
  let x = d.tokens('model.embed_tokens.weight');
  for (let l = 0; l < s.layers; l++) {
    const b = `model.layers.${l}.`;
    const a = olmo2 ? x : d.rmsNorm(x, `${b}input_layernorm.weight`);
    const proj = (n: string, rows: number): string =>
      d.project(a, `${b}self_attn.${n}_proj.weight`, [rows, D], bias(`${b}self_attn.${n}_proj.bias`, s.bias.qkv));
    let q = proj('q', qw),
      k = proj('k', kvw);
    const v = proj('v', kvw);
    if (olmo2) {
      q = d.rmsNorm(q, `${b}self_attn.q_norm.weight`, qw);
      k = d.rmsNorm(k, `${b}self_attn.k_norm.weight`, kvw);
    }
    let ctx = d.attention(q, k, v, l);
    if (l === s.layers - 1) [ctx, x] = [d.scored(ctx), d.scored(x)];
    const o = d.project(ctx, `${b}self_attn.o_proj.weight`, [D, qw], bias(`${b}self_attn.o_proj.bias`, s.bias.o));
    x = g.node('Add', [x, olmo2 ? d.rmsNorm(o, `${b}post_attention_layernorm.weight`) : o]);
    const m = olmo2 ? x : d.rmsNorm(x, `${b}post_attention_layernorm.weight`);
    const mlpProj = (n: string, shape: [number, number], y: string): string =>
      d.project(y, `${b}mlp.${n}_proj.weight`, shape, bias(`${b}mlp.${n}_proj.bias`, s.bias.mlp));
    const gated = g.node('Mul', [d.act(mlpProj('gate', [I, D], m)), mlpProj('up', [I, D], m)]);
    const out = mlpProj('down', [D, I], gated);
    x = g.node('Add', [x, olmo2 ? d.rmsNorm(out, `${b}post_feedforward_layernorm.weight`) : out]);
  }
  d.head(x, (h) => d.rmsNorm(h, 'model.norm.weight'), s.tiedHead ? 'model.embed_tokens.weight' : 'lm_head.weight');
}
