// Shared by the fault tests: a small run on disk (bigram checkpoints + eval.jsonl), the run
// loaded as the CLI loads it, a spy counting scoring jobs per checkpoint across every worker
// client in this process, and waiting for a process to be gone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigramModel } from '../../src/core/onnx/models';
import { openRun } from '../../src/run/openRun';
import { ScoringWorkerClient } from '../../src/run/workerClient';
import { lcg, randomSamples, saveModel } from './helpers';
import { tempDir } from '../support/temp';

export const VOCAB = 9;

export function bigramFor(seed: number) {
  const r = lcg(seed);
  return bigramModel({ table: Float32Array.from({ length: VOCAB * VOCAB }, () => r() * 4), vocab: VOCAB });
}

/** A run folder with `steps` checkpoints and `samples` eval lines; removed after the test. */
export function makeRun(t: { after(fn: () => void): void }, steps: number[], samples = 40): string {
  const root = tempDir(t);
  for (const step of steps) saveModel(root, `step-${step}`, bigramFor(step));
  const lines = randomSamples(samples, VOCAB, 3).map((s) =>
    JSON.stringify({ id: s.id, prompt_ids: [...s.promptIds], response_ids: [...s.responseIds] }),
  );
  writeFileSync(join(root, 'eval.jsonl'), lines.join('\n') + '\n');
  return root;
}

/** Replaces a checkpoint's model with another table (same folder, new content). */
export function replaceModel(root: string, step: number, seed: number): void {
  mkdirSync(join(root, `step-${step}`), { recursive: true });
  saveModel(root, `step-${step}`, bigramFor(seed));
}

/** The run as every front end opens it, and its layout, with no settle time (the test just wrote its files). */
export async function loadRun(root: string) {
  const run = await openRun(root, { settleMs: 0 });
  return { run, config: run.config, evalSet: run.evalSet, hashCache: run.hashCache, layout: await run.scan() };
}

/** Counts scoring jobs handed to any worker client in this process (a retry inside the client is not a new job). */
export function countJobs(t: { after(fn: () => void): void }): { jobs: string[]; clients: Set<ScoringWorkerClient> } {
  const jobs: string[] = [];
  const clients = new Set<ScoringWorkerClient>();
  const original = ScoringWorkerClient.prototype.score;
  ScoringWorkerClient.prototype.score = function (this: ScoringWorkerClient, job) {
    jobs.push(job.checkpointPath);
    clients.add(this);
    return original.call(this, job);
  };
  t.after(() => {
    ScoringWorkerClient.prototype.score = original;
  });
  return { jobs, clients };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Resolves true once `pid` is gone, false after `ms`. */
export async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !isAlive(pid);
}

/** Sorted occurrences of each value: `tally(['a','b','a'])` → { a: 2, b: 1 }. */
export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of [...values].sort()) out[v] = (out[v] ?? 0) + 1;
  return out;
}
