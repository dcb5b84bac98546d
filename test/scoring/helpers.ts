// Shared by the scoring tests: generated models saved as checkpoints, samples, and the float64
// reference log-softmax computed from full logits in JS.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeModel, type BuiltModel } from '../../src/core/onnx/models';
import type { ScoreJobOptions, WireSample } from '../../src/shared/workerProtocol';

export const CPU: ScoreJobOptions = { provider: 'cpu', tokenBudget: 64, allowSpinning: false, intraOpThreads: 1 };

/** Writes the model into its own folder (as a run's checkpoint would be); returns the model path. */
export function saveModel(dir: string, name: string, m: BuiltModel): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeModel(folder, 'model.onnx', m);
  return join(folder, 'model.onnx');
}

/** A small deterministic generator, so failures reproduce. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Ragged samples: prompt lengths 1..maxPrompt, response lengths 1..maxResponse. */
export function randomSamples(n: number, vocab: number, seed: number, maxPrompt = 6, maxResponse = 9): WireSample[] {
  const r = lcg(seed);
  const ids = (len: number) => Int32Array.from({ length: len }, () => Math.floor(r() * vocab));
  return Array.from({ length: n }, (_, index) => ({
    index,
    line: index + 1,
    id: `s${index}`,
    promptIds: ids(1 + Math.floor(r() * maxPrompt)),
    responseIds: ids(1 + Math.floor(r() * maxResponse)),
  }));
}

/** ln softmax(row)[k] in float64. */
export function logSoftmaxAt(row: ArrayLike<number>, k: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return row[k] - max - Math.log(sum);
}

export function assertClose(actual: number, expected: number, tol: number, what: string): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}
