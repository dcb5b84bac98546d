// config.json of both transformers generations reads into one decoder description: v4's
// rope_theta/rope_scaling and v5's rope_parameters give the same frequencies, class defaults
// fill omitted keys, and what we cannot reproduce is refused naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileError } from '../../src/core/fileError';
import { readDecoderSpec } from '../../src/core/hf';

const llama = {
  model_type: 'llama',
  hidden_size: 64,
  num_attention_heads: 4,
  num_hidden_layers: 2,
  intermediate_size: 128,
  vocab_size: 100,
  max_position_embeddings: 256,
};
const spec = (c: object) => readDecoderSpec(c, 'config.json');

test('v4 and v5 forms of the same model read the same', () => {
  const v4 = spec({
    ...llama,
    torch_dtype: 'bfloat16',
    rope_theta: 500000,
    rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 },
  });
  const v5 = spec({
    ...llama,
    dtype: 'bfloat16',
    rope_parameters: {
      rope_type: 'llama3',
      rope_theta: 500000,
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 64,
    },
  });
  assert.deepEqual(v4, v5);
  assert.equal(v4.dtype, 'bfloat16');
  const neox4 = spec({
    model_type: 'gpt_neox',
    hidden_size: 64,
    num_attention_heads: 4,
    num_hidden_layers: 1,
    intermediate_size: 256,
    vocab_size: 50,
    max_position_embeddings: 64,
    rotary_pct: 0.5,
    rotary_emb_base: 1000,
  });
  const neox5 = spec({
    model_type: 'gpt_neox',
    hidden_size: 64,
    num_attention_heads: 4,
    num_hidden_layers: 1,
    intermediate_size: 256,
    vocab_size: 50,
    max_position_embeddings: 64,
    rope_parameters: { rope_type: 'default', rope_theta: 1000, partial_rotary_factor: 0.5 },
  });
  assert.deepEqual(neox4, neox5);
  assert.equal(neox4.rope?.dims, 8);
  assert.deepEqual(neox4.rope?.invFreq, [1, 1000 ** -0.25, 1000 ** -0.5, 1000 ** -0.75]);
});

test('keys transformers omits take the class defaults', () => {
  const g = spec({ model_type: 'gpt2', n_embd: 32, n_head: 4, n_layer: 2, n_positions: 64, vocab_size: 10 });
  assert.deepEqual([g.tiedHead, g.act, g.eps, g.inner, g.context], [true, 'gelu_tanh', 1e-5, 128, 64]);
  const n = spec({
    model_type: 'gpt_neox',
    hidden_size: 64,
    num_attention_heads: 4,
    num_hidden_layers: 1,
    intermediate_size: 256,
    vocab_size: 50,
    max_position_embeddings: 64,
  });
  assert.deepEqual(
    [n.tiedHead, n.parallelResidual, n.act, n.rope?.dims, n.bias],
    [false, true, 'gelu', 4, { qkv: true, o: true, mlp: true }],
  );
  const q = spec({ ...llama, model_type: 'qwen2' });
  assert.deepEqual(q.bias, { qkv: true, o: false, mlp: false }, 'Qwen2 always has q/k/v biases');
  assert.deepEqual(spec({ ...llama, model_type: 'mistral', sliding_window: 16 }).window, [16, 16]);
  assert.deepEqual(spec({ ...llama, model_type: 'mistral', sliding_window: null }).window, [undefined, undefined]);
  assert.deepEqual(spec({ ...llama, model_type: 'qwen2', use_sliding_window: true, sliding_window: 8, max_window_layers: 1 }).window, [
    undefined,
    8,
  ]);
  assert.deepEqual(spec({ ...llama, layer_types: ['sliding_attention', 'full_attention'], sliding_window: 4 }).window, [4, undefined]);
});

test('what cannot be reproduced is refused with the key', () => {
  const cases: [object, RegExp][] = [
    [
      { ...llama, model_type: 'bert' },
      /config\.json: model_type "bert" is not supported; supported: gpt2, gpt_neox, llama, mistral, qwen2, olmo2$/,
    ],
    [{ hidden_size: 1 }, /config\.json: model_type is missing; supported: gpt2/],
    [
      { ...llama, rope_scaling: { type: 'dynamic', factor: 2 } },
      /"rope_scaling\.rope_type" is "dynamic"; supported: default, linear, llama3/,
    ],
    [{ ...llama, rope_parameters: { rope_type: 'yarn', rope_theta: 1 } }, /"rope_parameters\.rope_type" is "yarn"/],
    [
      { ...llama, rope_parameters: { rope_type: 'default', rope_theta: 1e4, partial_rotary_factor: 0.5 } },
      /"rope_parameters\.partial_rotary_factor" is 0\.5; llama rotates whole heads/,
    ],
    [{ ...llama, rope_scaling: { rope_type: 'linear' } }, /"rope_scaling\.factor" is missing; expected a positive number/],
    [{ ...llama, rope_scaling: { rope_type: 'linear', factor: -2 } }, /"rope_scaling\.factor" must be a positive number, found -2/],
    [{ ...llama, hidden_act: 'gelu_10' }, /"hidden_act" is "gelu_10"; supported: gelu, gelu_new/],
    [{ ...llama, num_key_value_heads: 3 }, /"num_attention_heads" 4 is not a multiple of "num_key_value_heads" 3/],
    [{ ...llama, vocab_size: '100' }, /"vocab_size" must be a positive integer, found "100"/],
    [{ ...llama, intermediate_size: undefined }, /"intermediate_size" is missing; expected a positive integer/],
    [{ ...llama, layer_types: ['full_attention'] }, /"layer_types" has 1 entries for 2 layers/],
    [
      { model_type: 'gpt2', n_embd: 30, n_head: 4, n_layer: 1, n_positions: 8, vocab_size: 5 },
      /"n_embd" 30 is not a multiple of "n_head" 4/,
    ],
    [[], /config\.json: expected a JSON object$/],
  ];
  for (const [c, re] of cases) {
    assert.throws(
      () => spec(c),
      (e: Error) => e instanceof FileError && e.file === 'config.json' && re.test(e.message),
      JSON.stringify(c),
    );
  }
});
