// The vocabulary shared by the pure core, the scorer, the CLI and the extension.
// Paths inside a run are relative to the run root with '/' separators: they are the
// stable identity of a checkpoint in the store, the report and the UI.

/** One checkpoint found in a run folder. */
export interface CheckpointEntry {
  /** Training step parsed from the directory or file name. */
  step: number;
  /** Model file relative to the run root ('/' separators). Identity of the checkpoint. */
  path: string;
  /** Absolute path of the model file. */
  modelPath: string;
  /** Absolute paths of external weight files that belong to the model (may be empty). */
  dataPaths: string[];
  /** Other checkpoints' paths with the same step; both are kept and flagged. */
  sameStep: string[];
  /** Path of another checkpoint with byte-identical model files, when there is one. */
  duplicateOf?: string;
  /** Size in bytes of the model file plus its external weights (set by the layout scanner). */
  bytes?: number;
  /** Latest modification time of those files, ms since the epoch (set by the layout scanner). */
  mtimeMs?: number;
  /**
   * 'onnx': modelPath is an ONNX model; 'safetensors': modelPath is model.safetensors or its
   * shard index, and dataPaths hold config.json and the shards. Absent means ONNX.
   */
  format?: CheckpointFormat;
  /** config.json's model_type (safetensors checkpoints), for listings. */
  modelType?: string;
}

/** How a checkpoint is stored: an ONNX export, or a Hugging Face safetensors checkpoint. */
export type CheckpointFormat = 'onnx' | 'safetensors';

/** One evaluation sample, as loaded and tokenized. */
export interface EvalSample {
  /** 0-based position among the valid samples. */
  index: number;
  /** 1-based line number in the eval file (for every message about this sample). */
  line: number;
  /** The sample's own `id`, when the line has one. */
  id?: string;
  promptIds: Int32Array;
  responseIds: Int32Array;
  /** ln π_D(response | prompt) from the data generator, when given. */
  refLogprob?: number;
  /** Original text, when the line gave text (the inspect view shows it). */
  prompt?: string;
  response?: string;
}

/** A problem found in an input file, tied to where it is. */
export interface InputProblem {
  file: string;
  line?: number;
  /** The sample id or the config key or tensor name the problem is about. */
  subject?: string;
  message: string;
}

/**
 * One checkpoint's scores on one eval set: what the scorer stores and the metrics read.
 * Sample i's response tokens are tokenLogprobs[tokenOffsets[i] .. tokenOffsets[i+1]).
 */
export interface CheckpointScores {
  /** s_k(i) = Σ_t ln π_k(y_i,t | …), accumulated in float64. NaN marks a skipped sample. */
  seqLogprob: Float64Array;
  /** |y_i|, the number of response tokens of sample i. */
  tokenCounts: Uint32Array;
  /** Prefix offsets into tokenLogprobs, length n + 1. */
  tokenOffsets: Uint32Array;
  /** Per-token natural-log probabilities of the response tokens. */
  tokenLogprobs: Float32Array;
}
