// GPT-NeoX / Pythia (transformers/models/gpt_neox/modeling_gpt_neox.py: GPTNeoXLayer,
// GPTNeoXAttention, GPTNeoXMLP): query_key_value's output viewed as [.., heads, 3·hd], each
// head's slice holding its q, k and v in turn; rotary on the first dims of each head;
// parallel residual x + attn(ln₁(x)) + mlp(ln₂(x)), or sequential; final_layer_norm and an
// untied embed_out. The rotary_emb.inv_freq, attention.bias and masked_bias buffers older
// versions saved are never read: the frequencies come from config.json.
import type { Decoder } from './decoder';

export function gptNeoxBody(d: Decoder): void {
  const { g, spec: s } = d;
  const D = s.hidden,
    hd = s.headDim,
    I = s.inner;
  const bias = (name: string, on: boolean): string | undefined => (on ? name : undefined);
  let x = d.tokens('gpt_neox.embed_in.weight');
  for (let l = 0; l < s.layers; l++) {
    const b = `gpt_neox.layers.${l}.`;
    const qkv = d.project(
      d.layerNorm(x, `${b}input_layernorm`),
      `${b}attention.query_key_value.weight`,
      [3 * D, D],
      bias(`${b}attention.query_key_value.bias`, s.bias.qkv),
    );
    const perHead = g.node('Reshape', [qkv, g.constI64([-1, s.heads, 3 * hd])]);
    const [q, k, v] = (g.nodeN('Split', [perHead, g.constI64([hd, hd, hd])], 3, { axis: 2 }) as string[]).map((t) => d.flat(t));
    let ctx = d.attention(q!, k!, v!, l);
    if (l === s.layers - 1) [ctx, x] = [d.scored(ctx), d.scored(x)];
    const attn = d.project(ctx, `${b}attention.dense.weight`, [D, D], bias(`${b}attention.dense.bias`, s.bias.o));
    const mlp = (y: string): string =>
      d.project(
        d.act(
          d.project(d.layerNorm(y, `${b}post_attention_layernorm`), `${b}mlp.dense_h_to_4h.weight`, [I, D], `${b}mlp.dense_h_to_4h.bias`),
        ),
        `${b}mlp.dense_4h_to_h.weight`,
        [D, I],
        `${b}mlp.dense_4h_to_h.bias`,
      );
    if (s.parallelResidual) {
      x = g.node('Add', [g.node('Add', [x, attn]), mlp(x)]);
    } else {
      const y = g.node('Add', [x, attn]);
      x = g.node('Add', [y, mlp(y)]);
    }
  }
  d.head(x, (h) => d.layerNorm(h, 'gpt_neox.final_layer_norm'), s.tiedHead ? 'gpt_neox.embed_in.weight' : 'embed_out.weight');
}
