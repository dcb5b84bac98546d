// The bench's FLOP/s ceiling: a chain of float32 MatMuls inside one onnxruntime graph, shaped
// like a GPT-2-small batch's largest products (1024 token rows through 768 → 3072 → 768, as
// the MLP does, four times over). The weights are initializers (resident and prepacked like a
// model's) and a scalar input scales the first operand so nothing folds at load; the output
// is summed to one number, so no copy in or out of JS is timed. (The earlier ceiling, one
// 2048³ MatMul fed from JS, timed copies each way, and on these shapes the model beat it.)
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/core/onnx/builder';
import { buildModel } from '../../src/core/onnx/model-build';
import { DataType } from '../../src/core/onnx/schema';
import { sessionOptions } from '../../src/scoring/providers';

export const CEILING_ROWS = 1024;
export const CEILING_WIDTHS = [768, 3072];
export const CEILING_CHAIN = 8;

function chainModel(): Uint8Array {
  const g = new GraphBuilder('matmul_chain');
  const s = g.input('s', DataType.FLOAT, [1]);
  let seed = 1;
  // Entries ±1/√k keep every product's entries of order 1 along the chain.
  const matrix = (rows: number, cols: number): Float32Array =>
    Float32Array.from({ length: rows * cols }, () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return ((seed / 2 ** 32 - 0.5) * 2) / Math.sqrt(rows);
    });
  const [a, b] = CEILING_WIDTHS;
  let x = g.node('Mul', [g.initializer('x', DataType.FLOAT, [CEILING_ROWS, a], matrix(CEILING_ROWS, a)), s]);
  for (let i = 0; i < CEILING_CHAIN; i++) {
    const [k, n] = i % 2 ? [b, a] : [a, b];
    x = g.node('MatMul', [x, g.initializer(`w${i}`, DataType.FLOAT, [k, n], matrix(k, n))]);
  }
  g.node('ReduceSum', [x], { keepdims: 0 }, 'sum');
  g.output('sum', DataType.FLOAT, []);
  return buildModel(g.graph()).model;
}

export interface Ceiling {
  /** FLOPs of one run. */
  flops: number;
  /** What the chain is, for the bench's caption. */
  describe: string;
  run(): Promise<unknown>;
  release(): Promise<void>;
}

export async function matmulCeiling(settings: { allowSpinning: boolean; intraOpThreads: number }): Promise<Ceiling> {
  const session = await ort.InferenceSession.create(chainModel(), sessionOptions('cpu', { ...settings, weightsDir: '.' }));
  const feeds = { s: new ort.Tensor('float32', Float32Array.from([1]), [1]) };
  await session.run(feeds);
  const [a, b] = CEILING_WIDTHS;
  return {
    flops: CEILING_CHAIN * 2 * CEILING_ROWS * a * b,
    describe: `in-graph chain of ${CEILING_CHAIN} float32 MatMuls ${CEILING_ROWS} × ${a} · ${a} × ${b} and back`,
    run: () => session.run(feeds),
    release: () => session.release(),
  };
}
