// Writes the demo run folder: eval.jsonl, coverage.json, a description of the generator, and
// one ONNX bigram checkpoint per schedule step (see checkpoints.ts for the construction).
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigramModel, writeModel } from '../onnx/models';
import { DEMO_CHAIN, makeChain, sampleChain, type ChainOptions, type DemoSample } from './chain';
import { checkpointTable, DEMO_SCHEDULE, scaledSchedule, type ScheduleStep } from './checkpoints';

/** Marks a folder as written by createDemoRun, so that re-running it may replace the folder. */
export const DEMO_MARKER = 'demo-generator.json';
/** 4,000 samples put dev (δ = 0.05, 13 checkpoints) at 0.033, well under half the gap the demo shows. */
export const DEMO_SAMPLES = 4000;
export const DEMO_SEED = 7;
export const DEMO_CHECKPOINT_SEED = 99;
export const DEMO_TOKENS_PER_STEP = 32768;

export interface DemoOptions {
  samples?: number;
  /** Seeds the eval samples. */
  seed?: number;
  /**
   * Seeds the checkpoints' logit noise (default DEMO_CHECKPOINT_SEED). The eval set does not
   * depend on it, so demo runs that differ only here share one eval set byte for byte and can be
   * compared as a sweep.
   */
  checkpointSeed?: number;
  /**
   * The run's learning rate as a multiple of the demo's (default 1): the checkpoints follow
   * scaledSchedule(lr). Like checkpointSeed it leaves the eval set as it is.
   */
  lr?: number;
  chain?: ChainOptions;
  schedule?: readonly ScheduleStep[];
}

export interface DemoRun {
  dir: string;
  samples: DemoSample[];
  checkpoints: { step: number; path: string; table: Float32Array }[];
  vocab: number;
}

export function demoCheckpointPath(step: number): string {
  return `checkpoints/step-${step}/model.onnx`;
}

function scheduleOf(o: DemoOptions): ScheduleStep[] {
  return scaledSchedule(o.lr ?? 1, o.schedule ?? DEMO_SCHEDULE);
}

/** The demo's eval set and checkpoint tables, without touching the disk. */
export function demoData(o: DemoOptions = {}): Omit<DemoRun, 'dir'> {
  const chain = makeChain(o.chain ?? DEMO_CHAIN);
  const samples = sampleChain(chain, o.samples ?? DEMO_SAMPLES, o.seed ?? DEMO_SEED);
  const checkpoints = scheduleOf(o).map((s) => ({
    step: s.step,
    path: demoCheckpointPath(s.step),
    table: checkpointTable(chain, s, o.checkpointSeed ?? DEMO_CHECKPOINT_SEED),
  }));
  return { samples, checkpoints, vocab: chain.vocab };
}

/**
 * Creates (or re-creates) a demo run in `dir`. Refuses a non-empty folder it did not write.
 * Re-creating keeps the score store: the models are the same bytes every time (seeded), and
 * stored results are keyed by content hash, eval-set hash and scorer version, so any result that
 * no longer matches is simply not found and the checkpoint is scored again.
 */
export function createDemoRun(dir: string, o: DemoOptions = {}): DemoRun {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, DEMO_MARKER))) {
      throw new Error(`${dir}: the folder is not empty and is not a demo run (no ${DEMO_MARKER}); choose another folder`);
    }
    for (const name of ['checkpoints', 'eval.jsonl', 'coverage.json', DEMO_MARKER]) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
  const chainOptions = o.chain ?? DEMO_CHAIN;
  const schedule = scheduleOf(o);
  const data = demoData(o);

  const lines = data.samples.map((s, i) =>
    JSON.stringify({
      id: `s${String(i).padStart(5, '0')}`,
      prompt_ids: s.promptIds,
      response_ids: s.responseIds,
      ref_logprob: s.refLogprob,
    }),
  );
  writeFileSync(join(dir, 'eval.jsonl'), lines.join('\n') + '\n');
  writeFileSync(
    join(dir, 'coverage.json'),
    JSON.stringify({ eval: 'eval.jsonl', reference: 'generator', selectionN: 16, tokensPerStep: DEMO_TOKENS_PER_STEP }, null, 2) + '\n',
  );
  for (const c of data.checkpoints) {
    const folder = join(dir, c.path, '..');
    mkdirSync(folder, { recursive: true });
    writeModel(folder, 'model.onnx', bigramModel({ table: c.table, vocab: data.vocab }));
  }
  const description = {
    about: 'Written by `checkpoint-coverage demo`; see README.md. Delete the folder freely.',
    chain: chainOptions,
    schedule,
    samples: data.samples.length,
    seed: o.seed ?? DEMO_SEED,
    checkpointSeed: o.checkpointSeed ?? DEMO_CHECKPOINT_SEED,
    lr: o.lr ?? 1,
  };
  writeFileSync(join(dir, DEMO_MARKER), JSON.stringify(description, null, 2) + '\n');
  return { dir, ...data };
}
