// Which ONNX signatures we can drive, and how. Pure: it reads a signature (names, element
// types, shapes, metadata) and returns a plan, or throws a message that lists what the model
// has and what we need. The Hugging Face / Optimum causal-LM exports are the target:
//   input_ids [batch, seq] (int64 or int32), attention_mask, optional position_ids,
//   optional past_key_values.<i>.key/value [batch, heads, past, head_dim] fed empty,
//   optional use_cache_branch (merged decoders) fed false, output logits [batch, seq, vocab].
// An export without dynamic axes has numbers for batch and seq: the plan keeps them (fixedBatch,
// fixedSeq) and the feeds match them exactly. How long a sample may be (maxTokens) is the
// shortest of the stated context, the position table the graph gathers by position
// (positionTable.ts) and a fixed sequence length.
import { FileError } from '../core/fileError';
import type { ModelSignature, TensorSignature as CoreTensorSignature } from '../core/onnx/readSignature';
import { findPositionTable, type GraphFacts } from './positionTable';

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
  /** The graph's nodes and initializer dims, when read (they reveal a position table's length). */
  graph?: Omit<GraphFacts, 'inputs'>;
}

/** The core reader's signature as planModel reads it: only the default domain's opset matters. */
export function planInput(
  sig: Pick<ModelSignature, 'inputs' | 'outputs' | 'opsetImports' | 'metadata'> &
    Partial<Pick<ModelSignature, 'nodes' | 'initializerDims'>>,
): SignatureLike {
  const opset = sig.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  const out: SignatureLike = { inputs: sig.inputs, outputs: sig.outputs, opset, metadata: sig.metadata };
  if (sig.nodes && sig.initializerDims) out.graph = { nodes: sig.nodes, initializerDims: sig.initializerDims };
  return out;
}

export interface PastInput {
  name: string;
  type: FloatType;
  heads: number;
  headDim: number;
}

export interface ModelPlan {
  idsType: IdType;
  mask?: { name: string; type: IdType };
  positionIds?: { name: string; type: IdType };
  past: PastInput[];
  useCacheBranch?: string;
  logitsType: FloatType;
  /** Vocabulary size when the model states it (logits' last dimension or config). */
  vocab?: number;
  /**
   * The longest sample the model takes, when known, and what says so, worded to follow "more
   * than": its stated context, its position table, or the sequence length it was exported with.
   */
  maxTokens?: { tokens: number; says: string };
  /** Batch size the export fixed (no dynamic batch axis): every run feeds exactly this many rows. */
  fixedBatch?: number;
  /** Sequence length the export fixed: every row is padded to exactly this length. */
  fixedSeq?: number;
}

const PAST = /^past_key_values\.\d+\.(key|value)$/;
const DYNAMIC_AXES =
  'export it with dynamic axes (torch.onnx.export(..., dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, ...}) for every input and output)';
const WANTED =
  'input_ids [batch, seq] int64/int32, optional attention_mask, position_ids, past_key_values.<i>.key/value, use_cache_branch; output logits [batch, seq, vocab] float32/float16';

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
  const cfgHeadDim =
    count(config.head_dim) ??
    ((count(config.hidden_size) ?? count(config.n_embd) ?? 0) / (count(config.num_attention_heads) ?? count(config.n_head) ?? 1) ||
      undefined);
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
        typeof d === 'number' && d > 0 ? d : (fallback ?? refuse(`${t.name} leaves ${what} symbolic and no config.json states it`));
      plan.past.push({
        name: t.name,
        type: type as FloatType,
        heads: fixed(t.shape![1], cfgHeads, 'the head count'),
        headDim: fixed(t.shape![3], cfgHeadDim, 'the head size'),
      });
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
  if (sig.opset < 11) refuse(`it uses opset ${sig.opset}; the log-prob head (GatherElements) needs opset 11 or later`);

  const fixed = fixedShape(sig, plan);
  if (fixed.problems.length)
    refuse(`it was exported with fixed shapes we cannot score within: ${fixed.problems.join('; ')}; ${DYNAMIC_AXES}`);
  if (fixed.batch !== undefined) plan.fixedBatch = fixed.batch;
  if (fixed.seq !== undefined) plan.fixedSeq = fixed.seq;

  // The shortest of what limits a sample's length; a stated context wins a tie (it names the
  // model's intent, the others only its shape).
  const limits: { tokens: number; says: string }[] = [];
  const stated = count(sig.metadata.max_position_embeddings) ?? count(config.max_position_embeddings) ?? count(config.n_positions);
  if (stated !== undefined) limits.push({ tokens: stated, says: `the model's context of ${stated}` });
  const table = sig.graph && findPositionTable({ ...sig.graph, inputs: sig.inputs.map((t) => t.name) });
  if (table) limits.push({ tokens: table.rows, says: `the ${table.rows} positions of the model's position table ${table.name}` });
  if (fixed.seq !== undefined)
    limits.push({ tokens: fixed.seq, says: `the sequence length ${fixed.seq} the model was exported with (fixed: no dynamic axes)` });
  const shortest = limits.reduce<(typeof limits)[number] | undefined>((a, b) => (a && a.tokens <= b.tokens ? a : b), undefined);
  if (shortest) plan.maxTokens = shortest;
  return plan;
}

/**
 * The batch and sequence sizes an export without dynamic axes fixed, read from every tensor that
 * has those axes, and what makes the shapes impossible to score within: sizes that disagree
 * between tensors, a sequence too short for a prompt and a response, a past of fixed length
 * (we feed an empty past).
 */
function fixedShape(sig: SignatureLike, plan: ModelPlan): { batch?: number; seq?: number; problems: string[] } {
  const problems: string[] = [];
  const seen: { batch?: [string, number]; seq?: [string, number] } = {};
  const note = (axis: 'batch' | 'seq', t: TensorSignature, d: number | string | null | undefined) => {
    if (typeof d !== 'number' || d <= 0) return;
    const first = seen[axis];
    if (!first) seen[axis] = [t.name, d];
    else if (first[1] !== d)
      problems.push(`${t.name} has a fixed ${axis === 'batch' ? 'batch size' : 'sequence length'} of ${d} but ${first[0]} has ${first[1]}`);
  };
  const bySeq = ['input_ids', plan.mask?.name, plan.positionIds?.name].filter((n): n is string => n !== undefined);
  const fixedPast: [string, number][] = [];
  for (const t of sig.inputs) {
    if (bySeq.includes(t.name)) {
      note('batch', t, t.shape?.[0]);
      note('seq', t, t.shape?.[1]);
    } else if (PAST.test(t.name)) {
      note('batch', t, t.shape?.[0]);
      const past = t.shape?.[2];
      if (typeof past === 'number' && past > 0) fixedPast.push([t.name, past]);
    }
  }
  const logits = sig.outputs.find((t) => t.name === 'logits');
  if (logits) {
    note('batch', logits, logits.shape?.[0]);
    note('seq', logits, logits.shape?.[1]);
  }
  const seq = seen.seq?.[1];
  if (seq !== undefined && seq < 2)
    problems.unshift(`${seen.seq![0]} has a fixed sequence length of ${seq}, too short for a prompt token and a response token`);
  if (fixedPast.length > 0) {
    const [name, past] = fixedPast[0];
    const others = fixedPast.length > 1 ? ` (and ${fixedPast.length - 1} more past input${fixedPast.length > 2 ? 's' : ''})` : '';
    problems.push(`${name}${others} has a fixed past length of ${past}, where we score whole sequences and feed an empty past`);
  }
  return { batch: seen.batch?.[1], seq, problems };
}
