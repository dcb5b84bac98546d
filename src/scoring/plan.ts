// Which ONNX signatures we can drive, and how. Pure: it reads a signature (names, element
// types, shapes, metadata) and returns a plan, or throws a message that lists what the model
// has and what we need. The Hugging Face / Optimum causal-LM exports are the target:
//   input_ids [batch, seq] (int64 or int32), attention_mask, optional position_ids,
//   optional past_key_values.<i>.key/value [batch, heads, past, head_dim] fed empty,
//   optional use_cache_branch (merged decoders) fed false, output logits [batch, seq, vocab].
import { FileError } from '../core/fileError';
import type { ModelSignature, TensorSignature as CoreTensorSignature } from '../core/onnx/readSignature';

export type IdType = 'int64' | 'int32';
export type FloatType = 'float32' | 'float16';

/** onnxruntime's tensor type names for the TensorProto.DataType numbers we accept. */
const ELEM: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };
const elemName = (t: number): string => ELEM[t] ?? `type ${t}`;

/** What the plan reads of a tensor: the core reader's own fields (its null shape is an unknown rank too). */
export type TensorSignature = Pick<CoreTensorSignature, 'name' | 'elemType'> & { shape?: CoreTensorSignature['shape'] };

export interface SignatureLike {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** Default-domain opset version. */
  opset: number;
  metadata: Record<string, string>;
}

/** The core reader's signature as planModel reads it: only the default domain's opset matters. */
export function planInput(sig: Pick<ModelSignature, 'inputs' | 'outputs' | 'opsetImports' | 'metadata'>): SignatureLike {
  const opset = sig.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  return { inputs: sig.inputs, outputs: sig.outputs, opset, metadata: sig.metadata };
}

export interface PastInput { name: string; type: FloatType; heads: number; headDim: number }

export interface ModelPlan {
  idsType: IdType;
  mask?: { name: string; type: IdType };
  positionIds?: { name: string; type: IdType };
  past: PastInput[];
  useCacheBranch?: string;
  logitsType: FloatType;
  /** Vocabulary size when the model states it (logits' last dimension or config). */
  vocab?: number;
  /** Longest sequence the model takes, when it states one. */
  context?: number;
}

const PAST = /^past_key_values\.\d+\.(key|value)$/;
const WANTED = 'input_ids [batch, seq] int64/int32, optional attention_mask, position_ids, past_key_values.<i>.key/value, use_cache_branch; output logits [batch, seq, vocab] float32/float16';

const describe = (t: TensorSignature) =>
  `${t.name} ${elemName(t.elemType)}${t.shape ? ` [${t.shape.map((d) => d ?? '?').join(', ')}]` : ''}`;

/** A positive integer from metadata or config (they store numbers as strings or numbers). */
function count(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * `config` is the export's config.json next to the model, when there is one: it fills in
 * sizes the graph leaves symbolic (context length, heads, vocabulary).
 */
export function planModel(sig: SignatureLike, file: string, config: Record<string, unknown> = {}): ModelPlan {
  const refuse = (why: string): never => {
    throw new FileError(
      file,
      `${why}. The model has inputs ${sig.inputs.map(describe).join(', ') || '(none)'} and outputs ${sig.outputs.map(describe).join(', ') || '(none)'}; we need ${WANTED}.`,
    );
  };
  const idType = (t: TensorSignature): IdType => {
    const n = elemName(t.elemType);
    if (n !== 'int64' && n !== 'int32') refuse(`input ${t.name} is ${n}, not int64 or int32`);
    return n as IdType;
  };
  const byName = new Map(sig.inputs.map((t) => [t.name, t]));
  const ids = byName.get('input_ids') ?? refuse('it has no input_ids input');
  if (ids.shape && ids.shape.length !== 2) refuse(`input_ids has rank ${ids.shape.length}, not 2`);
  const plan: ModelPlan = { idsType: idType(ids), past: [], logitsType: 'float32' };

  const cfgHeads = count(config.num_key_value_heads) ?? count(config.num_attention_heads) ?? count(config.n_head);
  const cfgHeadDim = count(config.head_dim)
    ?? ((count(config.hidden_size) ?? count(config.n_embd) ?? 0) / (count(config.num_attention_heads) ?? count(config.n_head) ?? 1) || undefined);
  for (const t of sig.inputs) {
    if (t.name === 'input_ids') continue;
    if (t.name === 'attention_mask') plan.mask = { name: t.name, type: idType(t) };
    else if (t.name === 'position_ids') plan.positionIds = { name: t.name, type: idType(t) };
    else if (t.name === 'use_cache_branch') {
      if (elemName(t.elemType) !== 'bool') refuse(`use_cache_branch is ${elemName(t.elemType)}, not bool`);
      plan.useCacheBranch = t.name;
    } else if (PAST.test(t.name)) {
      const type = elemName(t.elemType);
      if (type !== 'float32' && type !== 'float16') refuse(`${t.name} is ${type}, not float32 or float16`);
      if (!t.shape || t.shape.length !== 4) refuse(`${t.name} does not have rank 4 [batch, heads, past, head_dim]`);
      const fixed = (d: number | string | null | undefined, fallback: number | undefined, what: string) =>
        typeof d === 'number' && d > 0 ? d : fallback ?? refuse(`${t.name} leaves ${what} symbolic and no config.json states it`);
      plan.past.push({ name: t.name, type: type as FloatType, heads: fixed(t.shape![1], cfgHeads, 'the head count'), headDim: fixed(t.shape![3], cfgHeadDim, 'the head size') });
    } else {
      refuse(`input ${t.name} is not one we know how to feed`);
    }
  }

  const logits = sig.outputs.find((t) => t.name === 'logits') ?? refuse('it has no logits output');
  const lt = elemName(logits.elemType);
  if (lt !== 'float32' && lt !== 'float16') refuse(`logits are ${lt}, not float32 or float16`);
  plan.logitsType = lt as FloatType;
  if (logits.shape && logits.shape.length !== 3) refuse(`logits have rank ${logits.shape.length}, not 3 [batch, seq, vocab]`);
  const last = logits.shape?.[2];
  plan.vocab = (typeof last === 'number' && last > 0 ? last : undefined) ?? count(config.vocab_size);
  plan.context = count(sig.metadata.max_position_embeddings) ?? count(config.max_position_embeddings) ?? count(config.n_positions);
  if (sig.opset < 11) refuse(`it uses opset ${sig.opset}; the log-prob head (GatherElements) needs opset 11 or later`);
  return plan;
}
