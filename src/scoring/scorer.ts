// Scores one checkpoint on an eval set: the model with the log-prob head appended, batches
// under the token budget, float64 sums over response tokens. Runs inside the worker (it
// blocks its thread in session.run) but has no worker code, so tests and the bench call it
// directly.
import { dirname } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { sampleName } from '../core/evalset';
import { ScoreError, checkpointError } from '../core/scoreError';
import type { ProviderAttempt } from '../core/store';
import type { ScoreCheckpointResult, ScoreJobOptions, ScoreProgress, WireSample } from '../shared/workerProtocol';
import { planBatches, sampleProblem } from './batching';
import { batchFeeds } from './feeds';
import { HEAD_OUTPUT, readWithLogprobHead } from './head';
import { planCheckpoint } from './planCheckpoint';
import { openSession, type OpenedSession } from './providers';
import type { ModelPlan } from './plan';

export interface ScoreModelInput {
  modelPath: string;
  /** Eval file path, for naming samples in messages. */
  evalFile: string;
  samples: WireSample[];
  options: ScoreJobOptions;
  isCancelled?: () => boolean;
  onProgress?: (p: Omit<ScoreProgress, 'jobId'>) => void;
  /** Awaited after each batch's progress (the worker's test hook holds a job here until it is killed). */
  afterBatch?: () => Promise<void>;
  log?: (level: 'info' | 'warning', message: string) => void;
}

/** Throws naming the first samples whose token ids the model cannot take. */
function checkVocab(plan: ModelPlan, input: ScoreModelInput): void {
  const bad: string[] = [];
  let count = 0;
  let first: WireSample | undefined;
  for (const s of input.samples) {
    for (const [part, ids] of [['prompt', s.promptIds], ['response', s.responseIds]] as const) {
      const j = ids.findIndex((id) => id < 0 || (plan.vocab !== undefined && id >= plan.vocab));
      if (j >= 0) {
        first ??= s;
        if (++count <= 3) bad.push(`${sampleName(input.evalFile, s)}: ${part} token ${j} is id ${ids[j]}`);
        break;
      }
    }
  }
  if (first) {
    throw new ScoreError({
      kind: 'bad-data', file: input.evalFile, sample: sampleRef(first),
      message: `${count} sample(s) have token ids outside the model's vocabulary of ${plan.vocab}: ${bad.join('; ')}${count > 3 ? '; …' : ''}. Was the eval set tokenized with another tokenizer?`,
    });
  }
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
  checkVocab(plan, input);

  const n = samples.length;
  const counts = new Uint32Array(n);
  const offsets = new Uint32Array(n + 1);
  samples.forEach((s, i) => {
    counts[i] = s.responseIds.length;
    offsets[i + 1] = offsets[i] + counts[i];
  });
  const seqLogprob = new Float64Array(n).fill(NaN);
  const tokenLogprobs = new Float32Array(offsets[n]).fill(NaN);
  const skipped: ScoreCheckpointResult['skipped'] = [];
  const runnable: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = samples[i];
    const why = sampleProblem(s.promptIds.length, s.responseIds.length, plan.context);
    if (why) {
      skipped.push({ index: s.index, line: s.line, id: s.id, reason: why });
      input.log?.('warning', `${sampleName(input.evalFile, s)} ${why}`);
    } else runnable.push(i);
  }
  const lengths = runnable.map((i) => samples[i].promptIds.length + samples[i].responseIds.length);
  const batches = planBatches(lengths, options.tokenBudget);
  const tokensTotal = lengths.reduce((a, b) => a + b, 0);

  const model = await readWithLogprobHead(modelPath, plan.logitsType);
  const settings = { weightsDir: dirname(modelPath), allowSpinning: options.allowSpinning, intraOpThreads: options.intraOpThreads };
  const attempts: ProviderAttempt[] = [];
  let opened: OpenedSession = await openSession(model, options.provider, settings, attempts);
  input.log?.('info', `session on ${opened.provider} with ${options.intraOpThreads > 0 ? `${options.intraOpThreads} intra-op thread(s)` : "onnxruntime's default intra-op threads"}`);
  let tokensDone = 0;
  let samplesDone = 0;
  try {
    for (const batch of batches) {
      if (input.isCancelled?.()) throw new ScoreError({ kind: 'cancelled', message: `stopped after ${samplesDone} of ${runnable.length} samples` });
      const members = batch.members.map((k) => samples[runnable[k]]);
      const feeds = batchFeeds(plan, members, batch.seqLen);
      let out: ort.Tensor;
      try {
        out = (await opened.session.run(feeds, [HEAD_OUTPUT]))[HEAD_OUTPUT];
      } catch (e) {
        if (opened.provider === 'cpu') {
          throw new ScoreError({
            kind: 'bad-model', sample: sampleRef(members[0]),
            message: `inference failed on a batch of ${members.length} (first ${sampleName(input.evalFile, members[0])}): ${(e as Error).message}`,
          });
        }
        // A GPU provider that fails mid-job (out of memory, unsupported kernel) must not fail the job.
        const reason = `run failed: ${(e as Error).message}`;
        input.log?.('warning', `${opened.provider} ${reason}; going on with the CPU`);
        attempts.push({ provider: opened.provider, ok: false, reason });
        await opened.session.release();
        opened = await openSession(model, 'cpu', settings, attempts);
        out = (await opened.session.run(feeds, [HEAD_OUTPUT]))[HEAD_OUTPUT];
      }
      const data = out.data as Float32Array;
      members.forEach((s, r) => {
        const i = runnable[batch.members[r]];
        const p = s.promptIds.length;
        let sum = 0;
        for (let j = 0; j < s.responseIds.length; j++) {
          // Response token j sits at position p + j; the output one position earlier predicts it.
          const v = data[r * batch.seqLen + p + j - 1];
          if (Number.isNaN(v)) {
            throw new ScoreError({
              kind: 'bad-model', sample: sampleRef(s),
              message: `the model gives NaN log-probabilities (NaN or infinite logits) for ${sampleName(input.evalFile, s)} at response token ${j}`,
            });
          }
          tokenLogprobs[offsets[i] + j] = v;
          sum += v;
        }
        seqLogprob[i] = sum;
        tokensDone += p + s.responseIds.length;
      });
      samplesDone += members.length;
      const seconds = (performance.now() - started) / 1000;
      input.onProgress?.({ samplesDone, samplesTotal: runnable.length, tokensDone, tokensTotal, tokensPerSecond: tokensDone / seconds, provider: opened.provider });
      await input.afterBatch?.();
    }
  } finally {
    await opened.session.release();
  }
  return {
    seqLogprob, tokenCounts: counts, tokenOffsets: offsets, tokenLogprobs,
    provider: opened.provider, attempts, skipped,
    seconds: (performance.now() - started) / 1000, tokens: tokensDone,
  };
}
