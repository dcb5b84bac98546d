// What `checkpoint-coverage runs` shows of a run, read the way openRun reads it: settings, the
// layout scan, the eval set (whose failure is reported, not thrown: the listing still prints),
// and each checkpoint's signature (an ONNX export) or config.json, safetensors headers and graph
// (a safetensors checkpoint), so a model that cannot be scored is named before a long job.
import { resolve } from 'node:path';
import type { EvalSet } from '../core/evalset';
import { sampleName } from '../core/evalset';
import type { RunLayout } from '../core/layout';
import type { ReferenceSetting } from '../core/metrics';
import { runRelative } from '../core/paths';
import { chooseReference, type RunConfig } from '../core/runConfig';
import { checkpointError } from '../core/scoreError';
import type { InputProblem } from '../core/types';
import { modelLimits, type ModelLimits } from '../scoring/model/limits';
import { maxTokenIds, screenSamples, vocabMismatchMessage } from '../scoring/sampleChecks';
import type { ScoringElsewhere } from '../shared/protocol';
import { readEvalSet, scanRunFolder, scoringElsewhere } from './openRun';
import type { RunOptions } from './options';

export interface EvalSummary {
  file: string;
  samples: number;
  promptTokens: number;
  responseTokens: number;
  hash: string;
  reference: ReferenceSetting;
  problems: InputProblem[];
}

export interface RunSummary {
  layout: RunLayout;
  config: RunConfig;
  eval: EvalSummary | { file: string; error: string; problems: InputProblem[] };
  /** Checkpoints another live process is scoring into this run's store, by run-relative path. */
  elsewhere: Map<string, ScoringElsewhere>;
}

/** Reads everything `runs` shows; throws only when the folder or its coverage.json is unusable. */
export async function summarizeRun(dir: string, options: Pick<RunOptions, 'allowOutside' | 'overrides'> = {}): Promise<RunSummary> {
  const root = resolve(dir);
  const { config, layout } = await scanRunFolder(root, options);
  const elsewhere = await scoringElsewhere(root, config);
  let evalSet: EvalSet;
  try {
    evalSet = (await readEvalSet(config)).evalSet;
  } catch (e) {
    const problems = (e as { problems?: InputProblem[] }).problems ?? [];
    await checkModels(layout);
    return { layout, config, elsewhere, eval: { file: config.eval, error: e instanceof Error ? e.message : String(e), problems } };
  }
  await checkModels(layout, evalSet);
  let promptTokens = 0;
  let responseTokens = 0;
  for (const s of evalSet.samples) {
    promptTokens += s.promptIds.length;
    responseTokens += s.responseIds.length;
  }
  return {
    layout,
    config,
    elsewhere,
    eval: {
      file: evalSet.file,
      samples: evalSet.samples.length,
      promptTokens,
      responseTokens,
      hash: evalSet.hash,
      reference: chooseReference(config, evalSet.samples),
      problems: evalSet.problems,
    },
  };
}

/**
 * Reads each checkpoint's signature or headers (never its weights) so that a model that
 * cannot be scored is named now, not after a long scoring job: unreadable bytes, missing
 * external weights, a signature we cannot drive, an eval set tokenized for another model. Eval
 * samples a checkpoint will skip (too long for it, a stray id beyond its vocabulary) are noted.
 */
async function checkModels(layout: RunLayout, evalSet?: EvalSet): Promise<void> {
  const samples = evalSet?.samples ?? [];
  const maxIds = maxTokenIds(samples);
  const evalName = evalSet ? (runRelative(layout.root, evalSet.file) ?? evalSet.file) : '';
  for (const k of layout.checkpoints) {
    const say = (message: string): void => {
      layout.problems.push({ file: k.path, message: `cannot be scored: ${message}` });
    };
    // A config.json the scorer will ignore is worth naming here too (it may state the vocabulary).
    const warn = (_level: 'info' | 'warning', message: string): void => {
      layout.problems.push({ file: k.path, message });
    };
    let plan: ModelLimits;
    try {
      plan = await modelLimits(k.modelPath, k.path, warn);
    } catch (e) {
      say(checkpointError(e, k).message);
      continue;
    }
    if (!evalSet) continue;
    const screen = screenSamples(samples, plan, maxIds);
    if (screen.vocabMismatch) {
      say(vocabMismatchMessage(screen, samples, plan.vocab, evalName));
    } else if (screen.skipped.length > 0) {
      const shown = screen.skipped.slice(0, 3).map((x) => `${sampleName(evalName, samples[x.at])} ${x.reason}`);
      warn(
        'warning',
        `${screen.skipped.length} eval sample(s) will be skipped (and left out for every checkpoint): ${shown.join('; ')}${screen.skipped.length > 3 ? '; …' : ''}`,
      );
    }
  }
}
