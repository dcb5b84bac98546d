// Which names carry a training step, and which .onnx file in a folder is the model.
//
// Rule (case-insensitive): a name carries a step when it ends in KEYWORD SEP? DIGITS, where
// KEYWORD is step | checkpoint | ckpt | iter | global_step | global-step, SEP is one '-' or '_',
// and the keyword starts the name or follows '-', '_' or '.'. So `step-1200`, `step_1200`,
// `Checkpoint-1200`, `ckpt-1200`, `iter_0001200`, `global_step1200`, `step1200` and
// `run3_step-1200` match; `steps-3`, `mystep-5`, `step-12a`, `step-1.5`, `step--3`, `step-`,
// `step-1200-final` and `epoch-3` do not. For a file the rule applies to its name without `.onnx`.
import { isSafetensorsEntry } from '../safetensors';

const STEP_NAME = /(?:^|[-_.])(?:step|checkpoint|ckpt|iter|global[-_]step)[-_]?(\d+)$/i;

export type StepParse = { step: number } | { tooLarge: string } | undefined;

/** The step a directory name or model file stem carries, if any. */
export function parseStep(name: string): StepParse {
  const m = STEP_NAME.exec(name);
  if (!m) return undefined;
  const step = Number(m[1]);
  // Past 2^53 two different digit strings could map to one number and sort wrongly.
  if (!Number.isSafeInteger(step)) return { tooLarge: m[1] };
  return { step };
}

/** Files that are still being written by their names alone; never models. */
export function isInProgressName(name: string): boolean {
  return name.startsWith('.') || /\.(tmp|partial|incomplete)$/i.test(name);
}

export function isOnnxName(name: string): boolean {
  return /\.onnx$/i.test(name) && !isInProgressName(name);
}

/**
 * Whether a path names a model we can score as a reference: an .onnx file, or a safetensors
 * checkpoint's model.safetensors or shard index (config.json beside it).
 */
export function isModelPath(path: string): boolean {
  return /\.onnx$/i.test(path) || isSafetensorsEntry(path);
}

/** How isModelPath's accepted paths are described in messages. */
export const MODEL_PATH_TEXT = 'an .onnx file, a model.safetensors or a model.safetensors.index.json';

/**
 * Picks the model among a checkpoint folder's .onnx files (none of which carries a step of its
 * own). `model.onnx` wins (transformers.js folders add model_fp16.onnx and friends beside it).
 * An Optimum decoder export holds decoder_model.onnx, decoder_with_past_model.onnx and often
 * decoder_model_merged.onnx: the merged graph serves with and without cache, so it wins, then
 * the plain decoder. Anything else with several files is left to the user, not guessed.
 */
export function pickModel(names: string[]): { model: string } | { ambiguous: string[] } | undefined {
  if (names.length === 0) return undefined;
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  const model = byLower.get('model.onnx');
  if (model) return { model };
  if (names.length === 1) return { model: names[0] };
  if ([...byLower.keys()].every((n) => OPTIMUM_DECODER.includes(n))) {
    const pick = byLower.get('decoder_model_merged.onnx') ?? byLower.get('decoder_model.onnx');
    if (pick) return { model: pick };
  }
  return { ambiguous: [...names].sort() };
}

const OPTIMUM_DECODER = ['decoder_model_merged.onnx', 'decoder_model.onnx', 'decoder_with_past_model.onnx'];

/**
 * Conventional external-weight names for a model file: Optimum writes `<name>.onnx_data`,
 * the PyTorch exporter `<name>.onnx.data`. The names a model's own external-data entries
 * give are added through ScanOptions.externalDataNames.
 */
export function conventionalDataNames(modelName: string): string[] {
  return [`${modelName}_data`, `${modelName}.data`];
}

/**
 * transformers' Trainer writes a checkpoint into `tmp-checkpoint-N` and renames it
 * `checkpoint-N` when it is complete: what is inside the staging folder is still being written.
 */
export function isTrainerStaging(folderName: string): boolean {
  return /^tmp-checkpoint-/i.test(folderName);
}

// Files the Trainer saves beside the model in every checkpoint: not model weights.
const TRAINER_STATE = /^(optimizer|scheduler|scaler)\.pt$|^rng_state(_\d+)?\.pth$|^training_args\.bin$/;
// transformers' pickle weights (pytorch_model.bin and its shards) and torch.save's usual
// suffixes; other .bin files are often ONNX external data, so they are left alone.
const PICKLE = /^pytorch_model.*\.bin$|\.(pt|pth|ckpt)$/i;

/** Whether a file holds PyTorch pickle weights (pytorch_model.bin, *.pt, …), the Trainer's own state left out. */
export function isPickleWeights(name: string): boolean {
  return PICKLE.test(name) && !TRAINER_STATE.test(name);
}
