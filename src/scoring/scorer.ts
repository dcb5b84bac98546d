// Scores one checkpoint on an eval set: the prepared model (an ONNX export with the log-prob
// head appended, or a safetensors checkpoint's graph fed packed rows), batches under the token
// budget, float64 sums over response tokens. Runs inside the worker (it
// blocks its thread in session.run) but has no worker code, so tests and the bench call it
// directly.
//
// What one sample cannot do never costs the others their scores: a sample the plan rules out
// (too long, ids beyond the vocabulary) is skipped before anything runs; a batch that fails is
// run again one sample at a time, so only the sample that fails alone is skipped, with its
// reason. A batch that does not fit in memory is split (the budget halves, down to one sample
// per batch) and the job goes on; only a sample that does not fit even alone fails the job.
import { sampleName } from '../core/evalset';
import { ScoreError, checkpointError } from '../core/scoreError';
import type { ScoreCheckpointResult, ScoreJobOptions, ScoreProgress, WireSample } from '../shared/workerProtocol';
import { halvedBudget } from './batching';
import { prepareModel, type ModelBatch, type PreparedModel } from './model';
import { isOutOfMemory, onnxruntimeText } from './ortFailure';
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
  const prepared = await prepareModel(modelPath, modelPath, input.log);
  const screen = screenSamples(samples, prepared);
  if (screen.vocabMismatch) {
    const first = samples[screen.outOfVocab[0].at];
    throw new ScoreError({
      kind: 'bad-data',
      file: input.evalFile,
      sample: sampleRef(first),
      message: vocabMismatchMessage(screen, samples, prepared.vocab, input.evalFile),
    });
  }

  const n = samples.length;
  const counts = new Uint32Array(n);
  const offsets = new Uint32Array(n + 1);
  samples.forEach((s, i) => {
    counts[i] = s.responseIds.length;
    offsets[i + 1] = offsets[i] + counts[i];
  });
  const out: ScoreCheckpointResult = {
    seqLogprob: new Float64Array(n).fill(NaN),
    tokenCounts: counts,
    tokenOffsets: offsets,
    tokenLogprobs: new Float32Array(offsets[n]).fill(NaN),
    provider: 'cpu',
    attempts: [],
    skipped: [],
    seconds: 0,
    tokens: 0,
  };
  const skip = (i: number, reason: string) => {
    const s = samples[i];
    out.skipped.push({ index: s.index, line: s.line, id: s.id, reason });
    input.log?.('warning', `${sampleName(input.evalFile, s)} ${reason}`);
  };
  for (const { at, reason } of screen.skipped) skip(at, reason);

  const model = await prepared.bytes();
  const settings: SessionSettings = {
    weightsDir: prepared.weightsDir,
    allowSpinning: options.allowSpinning,
    intraOpThreads: options.intraOpThreads,
  };
  const run = new BatchRun(input, prepared, screen.runnable, out, skip, started);
  run.opened = await openSession(model, options.provider, settings, out.attempts);
  input.log?.(
    'info',
    `session on ${run.opened.provider} with ${options.intraOpThreads > 0 ? `${options.intraOpThreads} intra-op thread(s)` : "onnxruntime's default intra-op threads"}${options.allowSpinning ? ', spinning' : ', not spinning'}`,
  );
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
  private queue: ModelBatch[];
  /** The samples to run, in `runnable` order: batch members are positions into it. */
  private readonly seqs: WireSample[];
  private readonly lengths: number[];
  private samplesDone = 0;
  /** Samples skipped because they failed alone: too many of them means the model is broken, not the samples. */
  private failedAlone = 0;

  constructor(
    private readonly input: ScoreModelInput,
    private readonly model: PreparedModel,
    /** Positions of the samples to run. */
    private readonly runnable: number[],
    private readonly out: ScoreCheckpointResult,
    private readonly skip: (i: number, reason: string) => void,
    private readonly started: number,
  ) {
    this.seqs = runnable.map((i) => input.samples[i]);
    this.lengths = this.seqs.map((s) => s.promptIds.length + s.responseIds.length);
    this.budget = input.options.tokenBudget;
    this.queue = this.batches(runnable.map((_, k) => k));
  }

  /** Batches over positions `ks` (into `runnable`) at the current budget. */
  private batches(ks: number[]): ModelBatch[] {
    return this.model
      .batches(
        ks.map((k) => this.seqs[k]),
        this.budget,
      )
      .map((b) => ({ ...b, members: b.members.map((m) => ks[m]) }));
  }

  async all(toCpu: (opened: OpenedSession, reason: string) => Promise<OpenedSession>): Promise<void> {
    const { output } = this.model;
    while (this.queue.length > 0) {
      if (this.input.isCancelled?.())
        throw new ScoreError({ kind: 'cancelled', message: `stopped after ${this.samplesDone} of ${this.runnable.length} samples` });
      const batch = this.queue.shift()!;
      // Outside the try: a weight file that cannot be read is the checkpoint's failure, not the batch's.
      const { feeds, starts } = this.model.feeds(this.seqs, batch);
      let data: Float32Array;
      try {
        data = (await this.opened.session.run(feeds, [output]))[output].data as Float32Array;
      } catch (e) {
        if (this.opened.provider !== 'cpu') {
          this.opened = await toCpu(this.opened, onnxruntimeText(e));
          this.queue.unshift(batch);
        } else this.failed(batch, e);
        continue;
      }
      this.record(batch, starts, data);
      await this.input.afterBatch?.();
    }
  }

  /** A batch failed on the CPU: split it, or skip the one sample that fails alone, or fail the job. */
  private failed(batch: ModelBatch, e: unknown): void {
    const { samples, evalFile, log } = this.input;
    const first = this.seqs[batch.members[0]];
    const detail = onnxruntimeText(e);
    if (isOutOfMemory(e)) {
      const remaining = [batch.members, ...this.queue.map((b) => b.members)].flat();
      const next = this.model.fixedBatch ? undefined : halvedBudget(this.batches(remaining));
      log?.('info', `onnxruntime: ${detail}`);
      if (next === undefined || batch.rows === 1) {
        throw new ScoreError({
          kind: 'out-of-memory',
          sample: sampleRef(first),
          message: `out of memory running ${this.whatAlone(batch)}: onnxruntime could not allocate what the model needs for it. Free memory or score on a machine with more; a smaller --budget (tokenBudget) cannot help`,
        });
      }
      log?.(
        'warning',
        `out of memory on a batch of ${shapeText(batch)} (budget ${this.budget}); going on with batches of at most ${next} tokens`,
      );
      this.budget = next;
      this.queue = this.batches(remaining);
      return;
    }
    if (batch.members.length > 1) {
      // Which sample is it? Run each alone; the ones that still fail are skipped.
      log?.('info', `a batch of ${batch.members.length} failed (${detail}); running its samples one at a time`);
      this.queue.unshift(...batch.members.flatMap((k) => this.batches([k])));
      return;
    }
    const k = batch.members[0];
    log?.('info', `${sampleName(evalFile, first)}: onnxruntime: ${detail}`);
    const hint = this.model.maxTokens ? '' : '; the model states no context length, so it is likely longer than the model takes';
    this.skip(this.runnable[k], `fails even run alone (${this.lengths[k]} tokens${hint}); skipped`);
    this.samplesDone++;
    if (tokenizedForAnotherModel(++this.failedAlone, samples.length)) {
      throw new ScoreError({
        kind: 'bad-model',
        sample: sampleRef(first),
        message: `the model fails on ${this.failedAlone} samples even run one at a time (the last ${sampleName(evalFile, first)}, ${this.lengths[k]} tokens), more than the 1% of the eval set that would be skipped; onnxruntime reports: ${detail}`,
      });
    }
  }

  /** What ran out of memory when nothing smaller can be tried. */
  private whatAlone(batch: ModelBatch): string {
    const name = sampleName(this.input.evalFile, this.seqs[batch.members[0]]);
    if (batch.members.length === 1) return `one sample alone (${name}, ${this.lengths[batch.members[0]]} tokens)`;
    if (batch.at) return `one row of ${batch.seqLen} tokens (${batch.members.length} samples end to end, the first ${name})`;
    return `a batch of the ${batch.rows} × ${batch.seqLen} tokens the model was exported with`;
  }

  /** Stores a batch's log-probs (outputs of filler rows and padding are not read). */
  private record(batch: ModelBatch, starts: number[], data: Float32Array): void {
    const { samples, evalFile } = this.input;
    const o = this.out;
    batch.members.forEach((k, r) => {
      const i = this.runnable[k];
      const s = samples[i];
      let sum = 0;
      for (let j = 0; j < s.responseIds.length; j++) {
        const v = data[starts[r] + j];
        if (Number.isNaN(v)) {
          throw new ScoreError({
            kind: 'bad-model',
            sample: sampleRef(s),
            message: `the model gives NaN log-probabilities (NaN or infinite logits) for ${sampleName(evalFile, s)} at response token ${j}`,
          });
        }
        o.tokenLogprobs[o.tokenOffsets[i] + j] = v;
        sum += v;
      }
      o.seqLogprob[i] = sum;
      o.tokens += this.lengths[k];
    });
    this.samplesDone += batch.members.length;
    const seconds = (performance.now() - this.started) / 1000;
    const tokensTotal = this.lengths.reduce((a, b) => a + b, 0);
    this.input.onProgress?.({
      samplesDone: this.samplesDone,
      samplesTotal: this.runnable.length,
      tokensDone: o.tokens,
      tokensTotal,
      tokensPerSecond: o.tokens / seconds,
      provider: this.opened.provider,
    });
  }
}

/** `64 samples × 64 tokens` for a padded batch; packed rows say how many rows hold them. */
function shapeText(b: ModelBatch): string {
  return b.at
    ? `${b.members.length} samples packed in ${b.rows} rows × ${b.seqLen} tokens`
    : `${b.members.length} samples × ${b.seqLen} tokens`;
}
