// The project's generated GPT-2 (src/core/onnx/gpt2-weights.ts) as a Hugging Face checkpoint:
// the same numbers under transformers' tensor names and config keys, so one model exists as
// an ONNX export and as safetensors. GPT-2's Conv1D weights are [in, out], as ours are;
// activation_function is the exact "gelu" our graph computes (GPT-2's own default is the
// tanh form, gelu_new).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpt2Options, Gpt2Weights } from '../../src/core/onnx/models';
import { writeSafetensors, type TensorToWrite } from '../../src/core/safetensors';

export function gpt2Config(o: Gpt2Options): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    activation_function: 'gelu',
    n_embd: o.width,
    n_head: o.heads,
    n_layer: o.layers,
    n_positions: o.context,
    n_ctx: o.context,
    vocab_size: o.vocab,
    layer_norm_epsilon: 1e-5,
    torch_dtype: 'float32',
  };
}

export function gpt2Tensors(o: Gpt2Options, w: Gpt2Weights): TensorToWrite[] {
  const d = o.width;
  const t = (name: string, shape: number[], data: Float32Array): TensorToWrite => ({
    name: `transformer.${name}`,
    dtype: 'F32',
    shape,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
  const out = [t('wte.weight', [o.vocab, d], w.wte), t('wpe.weight', [o.context, d], w.wpe)];
  w.layers.forEach((l, i) => {
    const p = `h.${i}.`;
    out.push(
      t(`${p}ln_1.weight`, [d], l.ln1g),
      t(`${p}ln_1.bias`, [d], l.ln1b),
      t(`${p}attn.c_attn.weight`, [d, 3 * d], l.wqkv),
      t(`${p}attn.c_attn.bias`, [3 * d], l.bqkv),
      t(`${p}attn.c_proj.weight`, [d, d], l.wo),
      t(`${p}attn.c_proj.bias`, [d], l.bo),
      t(`${p}ln_2.weight`, [d], l.ln2g),
      t(`${p}ln_2.bias`, [d], l.ln2b),
      t(`${p}mlp.c_fc.weight`, [d, 4 * d], l.wfc),
      t(`${p}mlp.c_fc.bias`, [4 * d], l.bfc),
      t(`${p}mlp.c_proj.weight`, [4 * d, d], l.wproj),
      t(`${p}mlp.c_proj.bias`, [d], l.bproj),
    );
  });
  out.push(t('ln_f.weight', [d], w.lnfg), t('ln_f.bias', [d], w.lnfb));
  return out;
}

/** Writes config.json and model.safetensors into `dir`; returns the safetensors path. */
export async function writeGpt2Checkpoint(dir: string, o: Gpt2Options, w: Gpt2Weights): Promise<string> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(gpt2Config(o), null, 2));
  const file = join(dir, 'model.safetensors');
  await writeSafetensors(file, gpt2Tensors(o, w), { format: 'pt' });
  return file;
}
