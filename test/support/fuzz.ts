// Settings shared by the fuzz tests: a fixed seed in CI so a failure reproduces (fast-check
// prints the seed and the shrunk counterexample), FUZZ_SEED to explore other cases locally.
import type { Parameters } from 'fast-check';

const DEFAULT_SEED = 20240611;

export function fuzzParams<T>(numRuns: number, label: string): Parameters<T> {
  const env = process.env.FUZZ_SEED;
  const seed = env === undefined || env === '' ? DEFAULT_SEED : Number(env);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED=${env}: expected an integer`);
  process.stdout.write(`# fuzz ${label}: seed ${seed}, ${numRuns} runs (FUZZ_SEED=<n> to change)\n`);
  return { seed, numRuns };
}

/** Fails unless `e` is an Error whose message names `subject` (a file, a key). */
export function assertClearError(e: unknown, subject: string): void {
  if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
  if (!e.message.includes(subject)) throw new Error(`error does not name ${subject}: ${e.message}`);
}
