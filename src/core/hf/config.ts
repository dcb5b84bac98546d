// config.json of a Hugging Face causal LM, read into the one description the graph builders
// use. Both generations of transformers are read: v4 writes `torch_dtype`, `rope_theta` and
// `rope_scaling` (GPT-NeoX: `rotary_pct`, `rotary_emb_base`); v5 writes `dtype` and puts the
// RoPE settings under `rope_parameters` (GPT-NeoX's fraction as `partial_rotary_factor`).
// A key transformers leaves out when it holds the class default (GPT-2's
// tie_word_embeddings) takes that default here. Anything we cannot reproduce exactly is
// refused with the key that asks for it.
import { FileError } from '../fileError';
import { inverseFrequencies, type RopeParams } from './rope';

export const SUPPORTED_MODEL_TYPES = ['gpt2', 'gpt_neox', 'llama', 'mistral', 'qwen2', 'olmo2'] as const;
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

/** Activations by transformers' ACT2FN name; the tanh GELU has three names there. */
export const ACTIVATIONS = {
  gelu: 'gelu',
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  relu: 'relu',
  silu: 'silu',
  swish: 'silu',
} as const;
export type Activation = (typeof ACTIVATIONS)[keyof typeof ACTIVATIONS];

export interface RopeSpec {
  /** Leading dimensions of each head that rotate (all of them but for GPT-NeoX's fraction). */
  dims: number;
  /** dims / 2 frequencies in radians per position. */
  invFreq: number[];
}

export interface DecoderSpec {
  modelType: ModelType;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** MLP width. */
  inner: number;
  vocab: number;
  /** Longest sequence (max_position_embeddings / n_positions). */
  context: number;
  eps: number;
  act: Activation;
  /** Absent for GPT-2's learned positions. */
  rope?: RopeSpec;
  tiedHead: boolean;
  /** GPT-NeoX: attention and MLP both read the block's input. */
  parallelResidual: boolean;
  /** Per layer: the factor on q·k. */
  attnScale: number[];
  /** Per layer: a sliding attention window, or undefined for full causal attention. */
  window: (number | undefined)[];
  bias: { qkv: boolean; o: boolean; mlp: boolean };
  /** The dtype config.json declares (torch_dtype / dtype), for display. */
  dtype?: string;
}

type Json = Record<string, unknown>;

/** Typed access to config.json's keys; every complaint names the file and the key. */
class Keys {
  constructor(
    readonly c: Json,
    readonly file: string,
  ) {}
  fail(why: string): never {
    throw new FileError(this.file, why);
  }
  has(k: string): boolean {
    return this.c[k] !== undefined && this.c[k] !== null;
  }
  int(k: string, dflt?: number): number {
    const v = this.c[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      this.fail(
        v === undefined
          ? `"${k}" is missing; expected a positive integer`
          : `"${k}" must be a positive integer, found ${JSON.stringify(v)}`,
      );
    }
    return v as number;
  }
  /** A positive number at `from[k]` (`where` prefixes the key in messages); `dflt` when absent, if given. */
  num(k: string, dflt: number | undefined, from: Json = this.c, where = ''): number {
    const v = from[k] ?? dflt;
    if (v === undefined) this.fail(`"${where}${k}" is missing; expected a positive number`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      this.fail(`"${where}${k}" must be a positive number, found ${JSON.stringify(v)}`);
    return v as number;
  }
  bool(k: string, dflt: boolean): boolean {
    const v = this.c[k] ?? dflt;
    if (typeof v !== 'boolean') this.fail(`"${k}" must be true or false, found ${JSON.stringify(v)}`);
    return v as boolean;
  }
  act(k: string, dflt: string): Activation {
    const v = this.c[k] ?? dflt;
    const a = typeof v === 'string' ? (ACTIVATIONS as Record<string, Activation>)[v] : undefined;
    if (!a) this.fail(`"${k}" is ${JSON.stringify(v)}; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
    return a!;
  }
}

/** The RoPE settings of either generation, as one object with rope_type and rope_theta. */
function ropeSettings(k: Keys, thetaKey: string, thetaDefault: number): { where: string; p: Json } {
  const v5 = k.c.rope_parameters;
  if (v5 !== undefined && v5 !== null) {
    if (typeof v5 !== 'object' || Array.isArray(v5)) k.fail('"rope_parameters" must be an object');
    return { where: 'rope_parameters.', p: { rope_theta: thetaDefault, ...(v5 as Json) } };
  }
  const scaling = k.c.rope_scaling;
  if (scaling !== undefined && scaling !== null && (typeof scaling !== 'object' || Array.isArray(scaling)))
    k.fail('"rope_scaling" must be an object or null');
  return { where: 'rope_scaling.', p: { ...(scaling as Json | undefined), rope_theta: k.c[thetaKey] ?? thetaDefault } };
}

function ropeParams(k: Keys, s: { where: string; p: Json }): RopeParams {
  const type = s.p.rope_type ?? s.p.type ?? 'default';
  if (type !== 'default' && type !== 'linear' && type !== 'llama3') {
    k.fail(`"${s.where}rope_type" is ${JSON.stringify(type)}; supported: default, linear, llama3`);
  }
  const theta = k.num('rope_theta', 10000, s.p, s.where === 'rope_parameters.' ? s.where : '');
  if (type === 'default') return { type, theta };
  const factor = k.num('factor', undefined, s.p, s.where);
  if (type === 'linear') return { type, theta, factor };
  return {
    type,
    theta,
    factor,
    lowFreqFactor: k.num('low_freq_factor', undefined, s.p, s.where),
    highFreqFactor: k.num('high_freq_factor', undefined, s.p, s.where),
    originalContext: k.num('original_max_position_embeddings', undefined, s.p, s.where),
  };
}

function rope(k: Keys, params: RopeParams, headDim: number, fraction: number): RopeSpec {
  // transformers: int(head_dim * fraction) dimensions rotate, in pairs.
  const dims = Math.floor(headDim * fraction);
  if (dims < 2 || dims % 2) k.fail(`rotary dimensions ${dims} (head size ${headDim} × ${fraction}) must be even and at least 2`);
  return { dims, invFreq: inverseFrequencies(params, dims) };
}

function gpt2(k: Keys): Omit<DecoderSpec, 'modelType' | 'dtype'> {
  const hidden = k.int('n_embd'),
    heads = k.int('n_head'),
    layers = k.int('n_layer');
  if (hidden % heads) k.fail(`"n_embd" ${hidden} is not a multiple of "n_head" ${heads}`);
  const headDim = hidden / heads;
  const scaled = k.bool('scale_attn_weights', true);
  const byLayer = k.bool('scale_attn_by_inverse_layer_idx', false);
  return {
    layers,
    hidden,
    heads,
    kvHeads: heads,
    headDim,
    inner: k.has('n_inner') ? k.int('n_inner') : 4 * hidden,
    vocab: k.int('vocab_size'),
    context: k.int('n_positions'),
    eps: k.num('layer_norm_epsilon', 1e-5),
    act: k.act('activation_function', 'gelu_new'),
    tiedHead: k.bool('tie_word_embeddings', true),
    parallelResidual: false,
    attnScale: Array.from({ length: layers }, (_, l) => (scaled ? 1 / Math.sqrt(headDim) : 1) / (byLayer ? l + 1 : 1)),
    window: Array(layers).fill(undefined),
    bias: { qkv: true, o: true, mlp: true },
  };
}

function gptNeox(k: Keys): Omit<DecoderSpec, 'modelType' | 'dtype'> {
  const hidden = k.int('hidden_size'),
    heads = k.int('num_attention_heads'),
    layers = k.int('num_hidden_layers');
  if (hidden % heads) k.fail(`"hidden_size" ${hidden} is not a multiple of "num_attention_heads" ${heads}`);
  const headDim = hidden / heads;
  const s = ropeSettings(k, 'rotary_emb_base', 10000);
  const fraction = s.where === 'rope_parameters.' ? k.num('partial_rotary_factor', 0.25, s.p, s.where) : k.num('rotary_pct', 0.25);
  const attnBias = k.bool('attention_bias', true);
  return {
    layers,
    hidden,
    heads,
    kvHeads: heads,
    headDim,
    inner: k.int('intermediate_size'),
    vocab: k.int('vocab_size'),
    context: k.int('max_position_embeddings'),
    eps: k.num('layer_norm_eps', 1e-5),
    act: k.act('hidden_act', 'gelu'),
    rope: rope(k, ropeParams(k, s), headDim, fraction),
    tiedHead: k.bool('tie_word_embeddings', false),
    parallelResidual: k.bool('use_parallel_residual', true),
    attnScale: Array(layers).fill(1 / Math.sqrt(headDim)),
    window: Array(layers).fill(undefined),
    bias: { qkv: attnBias, o: attnBias, mlp: true },
  };
}

/** Which layers attend through a sliding window (Mistral, Qwen2; v5's layer_types says it per layer). */
function windows(k: Keys, type: ModelType, layers: number): (number | undefined)[] {
  const w = k.has('sliding_window') ? k.int('sliding_window') : undefined;
  const types = k.c.layer_types;
  if (Array.isArray(types)) {
    if (types.length !== layers) k.fail(`"layer_types" has ${types.length} entries for ${layers} layers`);
    return types.map((t) =>
      t === 'sliding_attention' ? (w ?? k.fail('"layer_types" names sliding_attention but "sliding_window" is not set')) : undefined,
    );
  }
  if (type === 'mistral') return Array(layers).fill(w);
  if (type === 'qwen2' && k.bool('use_sliding_window', false)) {
    const from = k.has('max_window_layers') ? k.int('max_window_layers') : 28;
    return Array.from({ length: layers }, (_, l) => (l >= from ? w : undefined));
  }
  return Array(layers).fill(undefined);
}

function llamaFamily(k: Keys, type: ModelType): Omit<DecoderSpec, 'modelType' | 'dtype'> {
  const hidden = k.int('hidden_size'),
    heads = k.int('num_attention_heads'),
    layers = k.int('num_hidden_layers');
  const kvHeads = k.has('num_key_value_heads') ? k.int('num_key_value_heads') : heads;
  if (heads % kvHeads) k.fail(`"num_attention_heads" ${heads} is not a multiple of "num_key_value_heads" ${kvHeads}`);
  if (!k.has('head_dim') && hidden % heads) k.fail(`"hidden_size" ${hidden} is not a multiple of "num_attention_heads" ${heads}`);
  const headDim = k.has('head_dim') ? k.int('head_dim') : hidden / heads;
  const s = ropeSettings(k, 'rope_theta', 10000);
  const fraction = k.num('partial_rotary_factor', 1, s.p, s.where);
  if (fraction !== 1) k.fail(`"${s.where}partial_rotary_factor" is ${fraction}; ${type} rotates whole heads`);
  const attnBias = k.bool('attention_bias', false);
  return {
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    inner: k.int('intermediate_size'),
    vocab: k.int('vocab_size'),
    context: k.int('max_position_embeddings'),
    eps: k.num('rms_norm_eps', type === 'olmo2' ? 1e-5 : 1e-6),
    act: k.act('hidden_act', 'silu'),
    rope: rope(k, ropeParams(k, s), headDim, 1),
    tiedHead: k.bool('tie_word_embeddings', false),
    parallelResidual: false,
    attnScale: Array(layers).fill(1 / Math.sqrt(headDim)),
    window: windows(k, type, layers),
    // Qwen2 always has q/k/v biases and no o bias, with no key saying so (Qwen2Attention).
    bias:
      type === 'qwen2'
        ? { qkv: true, o: false, mlp: false }
        : { qkv: attnBias, o: attnBias, mlp: type === 'llama' && k.bool('mlp_bias', false) },
  };
}

/** The decoder a config.json describes, or an error naming `file` and what is wrong. */
export function readDecoderSpec(config: unknown, file: string): DecoderSpec {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new FileError(file, 'expected a JSON object');
  const k = new Keys(config as Json, file);
  const type = k.c.model_type;
  if (!(SUPPORTED_MODEL_TYPES as readonly unknown[]).includes(type)) {
    k.fail(
      `model_type ${type === undefined ? 'is missing' : JSON.stringify(type)}${type === undefined ? '' : ' is not supported'}; supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    );
  }
  const modelType = type as ModelType;
  const body = modelType === 'gpt2' ? gpt2(k) : modelType === 'gpt_neox' ? gptNeox(k) : llamaFamily(k, modelType);
  const dtype = k.c.dtype ?? k.c.torch_dtype;
  return { modelType, ...body, ...(typeof dtype === 'string' ? { dtype } : {}) };
}

/** The family whose graph builder serves a model type. */
export function familyOf(t: ModelType): 'gpt2' | 'gpt_neox' | 'llama' {
  return t === 'gpt2' || t === 'gpt_neox' ? t : 'llama';
}
