// Scores one checkpoint on an eval set: the model with the log-prob head appended, batches
// under the token budget, float64 sums over response tokens. Runs inside the worker (it
// blocks its thread in session.run) but has no worker code, so tests and the bench call it
// directly.
//
// What one sample cannot do never costs the others their scores: a sample the plan rules out
// (too long, ids beyond the vocabulary) is skipped before anything runs; a batch that fails is
// run again one sample at a time, so only the sample that fails alone is skipped, with its
// reason. A batch that does not fit in memory is split (the budget halves, down to one sample
// per batch) and the job goes on; only a sample that does not fit even alone fails the job.
import { dirname } from 'node:path';
import { sampleName } from '../core/evalset';
import { ScoreError, checkpointError } from '../core/scoreError';
import type { ScoreCheckpointResult, ScoreJobOptions, ScoreProgress, WireSample } from '../shared/workerProtocol';
import { fixedBatches, planBatches, smallerBudget, type Batch } from './batching';
import { batchFeeds, feedShape } from './feeds';
import { HEAD_OUTPUT, readWithLogprobHead } from './head';
import { isOutOfMemory, onnxruntimeText } from './ortFailure';
import type { ModelPlan } from './plan';
import { planCheckpoint } from './planCheckpoint';
import { openSession, type OpenedSession, type SessionSettings } from './providers';
import { screenSamples, tokenizedForAnotherModel, vocabMismatchMessage } from './sampleChecks';

export interface ScoreModelInput {
  modelPath: string;
  /** Eval file path, for naming samples in messages. */
  evalFile: string;
  samples: WireSample[];
  options: ScoreJobOptions;
  isCancelled?: () => boolean;
  onProgress?: (p: Omit<ScoreProgress, 'jobId'>) => void;
  log?: (level: 'info' | 'warning', message: string) => void;
  /** Awaited after each batch's progress (the worker's test hook holds a job here until it is killed). */
  afterBatch?: () => Promise<void>;
}

const sampleRef = (s: WireSample) => (s.id === undefined ? { line: s.line } : { line: s.line, id: s.id });

/**
 * Scores one checkpoint; every failure is a ScoreError (the checkpoint is named by whoever words
 * it: `modelPath` stands for it here).
 */
export async function scoreModel(input: ScoreModelInput): Promise<ScoreCheckpointResult> {
  try {
    return await scoreModelOrThrow(input);
  } catch (e) {
    throw checkpointError(e, { path: input.modelPath, modelPath: input.modelPath });
  }
}

async function scoreModelOrThrow(input: ScoreModelInput): Promise<ScoreCheckpointResult> {
  const started = performance.now();
  const { samples, options, modelPath } = input;
  const plan = await planCheckpoint(modelPath, modelPath, input.log);
  const screen = screenSamples(samples, plan);
  if (screen.vocabMismatch) {
    const first = samples[screen.outOfVocab[0].at];
    throw new ScoreError({ kind: 'bad-data', file: input.evalFile, sample: sampleRef(first), message: vocabMismatchMessage(screen, samples, plan.vocab, input.evalFile) });
  }

  const n = samples.length;
  const counts = new Uint32Array(n);
  const offsets = new Uint32Array(n + 1);
  samples.forEach((s, i) => {
    counts[i] = s.responseIds.length;
    offsets[i + 1] = offsets[i] + counts[i];
  });
  const out: ScoreCheckpointResult = {
    seqLogprob: new Float64Array(n).fill(NaN), tokenCounts: counts, tokenOffsets: offsets,
    tokenLogprobs: new Float32Array(offsets[n]).fill(NaN),
    provider: 'cpu', attempts: [], skipped: [], seconds: 0, tokens: 0,
  };
  const skip = (i: number, reason: string) => {
    const s = samples[i];
    out.skipped.push({ index: s.index, line: s.line, id: s.id, reason });
    input.log?.('warning', `${sampleName(input.evalFile, s)} ${reason}`);
  };
  for (const { at, reason } of screen.skipped) skip(at, reason);

  const model = await readWithLogprobHead(modelPath, plan.logitsType);
  const settings: SessionSettings = { weightsDir: dirname(modelPath), allowSpinning: options.allowSpinning, intraOpThreads: options.intraOpThreads };
  const run = new BatchRun(input, plan, screen.runnable, out, skip, started);
  run.opened = await openSession(model, options.provider, settings, out.attempts);
  input.log?.('info', `session on ${run.opened.provider} with ${options.intraOpThreads > 0 ? `${options.intraOpThreads} intra-op thread(s)` : "onnxruntime's default intra-op threads"}`);
  try {
    await run.all(async (opened, reason) => {
      // A GPU provider that fails mid-job (out of memory, unsupported kernel) must not fail the job.
      input.log?.('warning', `${opened.provider} run failed: ${reason}; going on with the CPU`);
      out.attempts.push({ provider: opened.provider, ok: false, reason: `run failed: ${reason}` });
      await opened.session.release();
      return openSession(model, 'cpu', settings, out.attempts);
    });
  } finally {
    await run.opened.session.release();
  }
  out.provider = run.opened.provider;
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

/** The batch loop of one job: a queue of batches that failures reshape as the job goes. */
class BatchRun {
  opened!: OpenedSession;
  private budget: number;
  private queue: Batch[];
  private readonly lengths: number[];
  private samplesDone = 0;
  /** Samples skipped because they failed alone: too many of them means the model is broken, not the samples. */
  private failedAlone = 0;

  constructor(
    private readonly input: ScoreModelInput,
    private readonly plan: ModelPlan,
    /** Positions of the samples to run. */
    private readonly runnable: number[],
    private readonly out: ScoreCheckpointResult,
    private readonly skip: (i: number, reason: string) => void,
    private readonly started: number,
  ) {
    const s = input.samples;
    this.lengths = runnable.map((i) => s[i].promptIds.length + s[i].responseIds.length);
    this.budget = input.options.tokenBudget;
    this.queue = this.batches(runnable.map((_, k) => k));
  }

  /** Batches over positions `ks` (into `runnable`) at the current budget. */
  private batches(ks: number[]): Batch[] {
    const lengths = ks.map((k) => this.lengths[k]);
    const local = this.plan.fixedBatch ? fixedBatches(lengths, this.plan.fixedBatch) : planBatches(lengths, this.budget);
    return local.map((b) => ({ members: b.members.map((m) => ks[m]), seqLen: b.seqLen }));
  }

  async all(toCpu: (opened: OpenedSession, reason: string) => Promise<OpenedSession>): Promise<void> {
    while (this.queue.length > 0) {
      if (this.input.isCancelled?.()) throw new ScoreError({ kind: 'cancelled', message: `stopped after ${this.samplesDone} of ${this.runnable.length} samples` });
      const batch = this.queue.shift()!;
      const members = batch.members.map((k) => this.input.samples[this.runnable[k]]);
      let data: Float32Array;
      try {
        data = (await this.opened.session.run(batchFeeds(this.plan, members, batch.seqLen), [HEAD_OUTPUT]))[HEAD_OUTPUT].data as Float32Array;
      } catch (e) {
        if (this.opened.provider !== 'cpu') {
          this.opened = await toCpu(this.opened, onnxruntimeText(e));
          this.queue.unshift(batch);
        } else this.failed(batch, e);
        continue;
      }
      this.record(batch, data);
      await this.input.afterBatch?.();
    }
  }

  /** A batch failed on the CPU: split it, or skip the one sample that fails alone, or fail the job. */
  private failed(batch: Batch, e: unknown): void {
    const { samples, evalFile, log } = this.input;
    const first = samples[this.runnable[batch.members[0]]];
    const detail = onnxruntimeText(e);
    if (isOutOfMemory(e)) {
      const remaining = [batch.members, ...this.queue.map((b) => b.members)].flat();
      const next = this.plan.fixedBatch ? undefined : smallerBudget(remaining.map((k) => this.lengths[k]), this.budget);
      const shape = feedShape(this.plan, batch.members.length, batch.seqLen);
      log?.('info', `onnxruntime: ${detail}`);
      if (next === undefined || batch.members.length === 1) {
        const what = batch.members.length === 1 ? `one sample alone (${sampleName(evalFile, first)}, ${batch.seqLen} tokens)` : `a batch of the ${shape.rows} × ${shape.seqLen} tokens the model was exported with`;
        throw new ScoreError({
          kind: 'out-of-memory', sample: sampleRef(first),
          message: `out of memory running ${what}: onnxruntime could not allocate what the model needs for it. Free memory or score on a machine with more; a smaller --budget (tokenBudget) cannot help`,
        });
      }
      log?.('warning', `out of memory on a batch of ${batch.members.length} samples × ${batch.seqLen} tokens (budget ${this.budget}); going on with batches of at most ${next} tokens`);
      this.budget = next;
      this.queue = this.batches(remaining);
      return;
    }
    if (batch.members.length > 1) {
      // Which sample is it? Run each alone; the ones that still fail are skipped.
      log?.('info', `a batch of ${batch.members.length} failed (${detail}); running its samples one at a time`);
      this.queue.unshift(...batch.members.map((k) => ({ members: [k], seqLen: this.lengths[k] })));
      return;
    }
    const i = this.runnable[batch.members[0]];
    log?.('info', `${sampleName(evalFile, first)}: onnxruntime: ${detail}`);
    const hint = this.plan.maxTokens ? '' : '; the model states no context length, so it is likely longer than the model takes';
    this.skip(i, `fails even run alone (${batch.seqLen} tokens${hint}); skipped`);
    this.samplesDone++;
    if (tokenizedForAnotherModel(++this.failedAlone, samples.length)) {
      throw new ScoreError({
        kind: 'bad-model', sample: sampleRef(first),
        message: `the model fails on ${this.failedAlone} samples even run one at a time (the last ${sampleName(evalFile, first)}, ${batch.seqLen} tokens), more than the 1% of the eval set that would be skipped; onnxruntime reports: ${detail}`,
      });
    }
  }

  /** Stores a batch's log-probs (rows beyond its members are filler and are not read). */
  private record(batch: Batch, data: Float32Array): void {
    const { samples, evalFile } = this.input;
    const { seqLen } = feedShape(this.plan, batch.members.length, batch.seqLen);
    const o = this.out;
    batch.members.forEach((k, r) => {
      const i = this.runnable[k];
      const s = samples[i];
      const p = s.promptIds.length;
      let sum = 0;
      for (let j = 0; j < s.responseIds.length; j++) {
        // Response token j sits at position p + j; the output one position earlier predicts it.
        const v = data[r * seqLen + p + j - 1];
        if (Number.isNaN(v)) {
          throw new ScoreError({
            kind: 'bad-model', sample: sampleRef(s),
            message: `the model gives NaN log-probabilities (NaN or infinite logits) for ${sampleName(evalFile, s)} at response token ${j}`,
          });
        }
        o.tokenLogprobs[o.tokenOffsets[i] + j] = v;
        sum += v;
      }
      o.seqLogprob[i] = sum;
      o.tokens += p + s.responseIds.length;
    });
    this.samplesDone += batch.members.length;
    const seconds = (performance.now() - this.started) / 1000;
    const tokensTotal = this.lengths.reduce((a, b) => a + b, 0);
    this.input.onProgress?.({ samplesDone: this.samplesDone, samplesTotal: this.runnable.length, tokensDone: o.tokens, tokensTotal, tokensPerSecond: o.tokens / seconds, provider: this.opened.provider });
  }
}
