// How long a sample a model takes when nothing states it. A plain torch.onnx.export has no
// max_position_embeddings and no config.json beside it, yet a learned position table still caps
// the length: a longer sample makes its Gather fail at run time. The table is the initializer a
// Gather reads by position: indices that come from a `position_ids` input, a Range (torch.arange
// over the sequence), or a CumSum of the attention mask (Hugging Face's positions), never from
// `input_ids` (that Gather is the token embedding). Pure: it reads the signature's nodes.
import type { GraphNode } from '../core/onnx/readSignature';

export interface PositionTable {
  /** The initializer's name, for messages. */
  name: string;
  /** Its first dimension: how many positions it holds. */
  rows: number;
}

export interface GraphFacts {
  nodes: readonly GraphNode[];
  initializerDims: ReadonlyMap<string, readonly number[]>;
  /** Names of the graph inputs the caller feeds. */
  inputs: readonly string[];
}

/** Ops whose output carries no values of their input, only its shape: tracing stops there. */
const SHAPE_ONLY = new Set(['Shape', 'Size', 'ConstantOfShape', 'EyeLike']);
/** Ops that make positions themselves. */
const POSITION_SOURCES = new Set(['Range', 'CumSum']);
/** Ops a table may pass through on its way to the Gather (a cast to another float type, say). */
const TABLE_PASS = new Set(['Cast', 'Identity']);
/** Nodes looked at per Gather before giving up: position ids are a few ops from their source. */
const MAX_TRACE = 200;

/**
 * The smallest position table the graph gathers by position, or undefined when it has none we
 * recognise (the table may be sliced rather than gathered, or inside a subgraph).
 */
export function findPositionTable(g: GraphFacts): PositionTable | undefined {
  const producer = new Map<string, GraphNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const inputs = new Set(g.inputs);
  let best: PositionTable | undefined;
  for (const n of g.nodes) {
    if (n.op !== 'Gather' || n.domain !== '' || (n.ints.axis ?? 0) !== 0 || n.inputs.length < 2) continue;
    const table = tableOf(n.inputs[0], producer, g.initializerDims);
    if (!table || !byPosition(n.inputs[1], producer, inputs)) continue;
    if (!best || table.rows < best.rows) best = table;
  }
  return best;
}

/** The rank-2 initializer behind a Gather's data input, through casts. */
function tableOf(name: string, producer: Map<string, GraphNode>, dims: ReadonlyMap<string, readonly number[]>): PositionTable | undefined {
  for (let hops = 0; hops < 4; hops++) {
    const d = dims.get(name);
    if (d) return d.length === 2 && d[0] > 0 ? { name, rows: d[0] } : undefined;
    const p = producer.get(name);
    if (!p || !TABLE_PASS.has(p.op)) return undefined;
    name = p.inputs[0];
  }
  return undefined;
}

/** Whether the values of `name` are positions: they trace back to a position source and never to input_ids. */
function byPosition(name: string, producer: Map<string, GraphNode>, inputs: Set<string>): boolean {
  let positional = false;
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (seen.size > MAX_TRACE) return false;
    if (inputs.has(v)) {
      if (v === 'input_ids') return false;
      if (v === 'position_ids') positional = true;
      continue;
    }
    const p = producer.get(v);
    if (!p || SHAPE_ONLY.has(p.op)) continue;
    if (POSITION_SOURCES.has(p.op)) {
      positional = true;
      continue;
    }
    stack.push(...p.inputs.filter((i) => i !== ''));
  }
  return positional;
}
