// Which eval samples a checkpoint can take, decided from its plan before anything runs. Pure;
// the scorer skips what this rules out, and `runs` says in advance what will be skipped.
//
// A sample the model cannot take (longer than it takes, no prompt token, a token id beyond its
// vocabulary) is skipped, not the checkpoint failed: it gets a NaN score and a reason, and the
// report leaves it out for every checkpoint. One exception: ids beyond the vocabulary in more
// than 1% of the samples (and in more than one) mean the eval set was tokenized for another
// model, and every number would be a number about the wrong tokens: the checkpoint fails.
import { sampleName } from '../core/evalset';
import type { ModelPlan } from './plan';

export interface CheckedSample {
  line: number;
  id?: string;
  promptIds: ArrayLike<number>;
  responseIds: ArrayLike<number>;
}

export interface OutOfVocab {
  /** Position in the samples array. */
  at: number;
  part: 'prompt' | 'response';
  /** Index of the first offending token within its part. */
  token: number;
  id: number;
}

export interface SampleScreen {
  /** Positions (into the samples array) the model can score. */
  runnable: number[];
  /** Positions it cannot, each with the reason, worded to follow the sample's name. */
  skipped: { at: number; reason: string }[];
  /** The samples with a token id beyond the vocabulary (also in `skipped`). */
  outOfVocab: OutOfVocab[];
  /** So many are beyond the vocabulary that the eval set was tokenized for another model. */
  vocabMismatch: boolean;
}

/**
 * The rule for "tokenized for another model": more than 1% of the samples, and more than one.
 * A stray line (a typo, an id pasted from elsewhere) is then always just skipped, while an eval
 * set from another tokenizer, where ids beyond the vocabulary turn up in most samples, fails.
 */
export function tokenizedForAnotherModel(outOfVocab: number, samples: number): boolean {
  return outOfVocab > 1 && outOfVocab > samples / 100;
}

/** Why a sample of these lengths cannot be scored by the plan's model, or undefined when it can. */
export function lengthProblem(promptLen: number, responseLen: number, plan: Pick<ModelPlan, 'maxTokens'>): string | undefined {
  if (promptLen < 1) return 'has no prompt token: the first response token would have no context to be scored in';
  const total = promptLen + responseLen;
  if (plan.maxTokens && total > plan.maxTokens.tokens)
    return `has ${total} tokens, more than ${plan.maxTokens.says}; skipped, not truncated`;
  return undefined;
}

/** The first token id at or beyond `vocab`, if any. */
function firstOutOfVocab(s: CheckedSample, vocab: number): Omit<OutOfVocab, 'at'> | undefined {
  for (const [part, ids] of [
    ['prompt', s.promptIds],
    ['response', s.responseIds],
  ] as const) {
    for (let j = 0; j < ids.length; j++) if (ids[j] >= vocab) return { part, token: j, id: ids[j] };
  }
  return undefined;
}

/** The largest token id of each sample; computed once per eval set when many models are checked. */
export function maxTokenIds(samples: readonly CheckedSample[]): Float64Array {
  return Float64Array.from(samples, (s) => {
    let m = -1;
    for (const ids of [s.promptIds, s.responseIds]) for (let j = 0; j < ids.length; j++) if (ids[j] > m) m = ids[j];
    return m;
  });
}

export function screenSamples(
  samples: readonly CheckedSample[],
  plan: Pick<ModelPlan, 'vocab' | 'maxTokens'>,
  maxIds = maxTokenIds(samples),
): SampleScreen {
  const screen: SampleScreen = { runnable: [], skipped: [], outOfVocab: [], vocabMismatch: false };
  samples.forEach((s, at) => {
    const bad = plan.vocab !== undefined && maxIds[at] >= plan.vocab ? firstOutOfVocab(s, plan.vocab) : undefined;
    if (bad) {
      screen.outOfVocab.push({ at, ...bad });
      screen.skipped.push({
        at,
        reason: `has token id ${bad.id} (${bad.part} token ${bad.token}), outside the model's vocabulary of ${plan.vocab}; skipped`,
      });
      return;
    }
    const why = lengthProblem(s.promptIds.length, s.responseIds.length, plan);
    if (why) screen.skipped.push({ at, reason: why });
    else screen.runnable.push(at);
  });
  screen.vocabMismatch = tokenizedForAnotherModel(screen.outOfVocab.length, samples.length);
  return screen;
}

/** The checkpoint's failure when the eval set was tokenized for another model: how many, and the first few. */
export function vocabMismatchMessage(
  screen: SampleScreen,
  samples: readonly CheckedSample[],
  vocab: number | undefined,
  evalFile: string,
): string {
  const bad = screen.outOfVocab;
  const shown = bad.slice(0, 3).map((b) => `${sampleName(evalFile, samples[b.at])}: ${b.part} token ${b.token} is id ${b.id}`);
  return (
    `${bad.length} of ${samples.length} samples have token ids outside the model's vocabulary of ${vocab}: ${shown.join('; ')}${bad.length > 3 ? '; …' : ''}. ` +
    'Was the eval set tokenized with another tokenizer? (A few such samples, up to 1% of the eval set, would be skipped; this many fail the checkpoint.)'
  );
}
