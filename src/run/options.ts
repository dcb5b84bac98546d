// How a front end asks for a run: one typed options object, the same for every command and the
// extension. The CLI fills it from its flags, the extension from its settings (fromSettings);
// nothing else reads settings or flags.
import type { ConfigOverrides } from '../core/runConfig';
import { parseReferenceText, type Settings } from '../core/settings';
import type { ProviderSetting } from '../core/store';
import type { ScoringWorkerClient, WorkerCrashNotice } from './workerClient';

/** What the scoring worker is asked to use. */
export interface ScoringOptions {
  provider?: ProviderSetting;
  /** Most padded tokens per batch; memory grows with it. */
  tokenBudget?: number;
  /** onnxruntime intra-op threads in the worker; 0 or absent: onnxruntime's choice. */
  threads?: number;
}

export type RunLog = (level: 'info' | 'warning', message: string) => void;

export interface RunOptions {
  /** Let coverage.json and the overrides name files outside the run folder (trusted use only). */
  allowOutside?: boolean;
  /** Values over coverage.json's (settings, flags). */
  overrides?: ConfigOverrides;
  scoring?: ScoringOptions;
  /** A file changed more recently is still being written (layout scan); tests and the demo pass 0. */
  settleMs?: number;
  log?: RunLog;
  /** The worker died under a job (the extension tells the user once per crash streak). */
  onWorkerCrash?: (notice: WorkerCrashNotice) => void;
  /** The worker bundle; by default dist/worker.js beside the bundle that runs. */
  workerScript?: string;
  /**
   * A worker client shared with other runs (the extension's runs share one worker, which takes
   * their jobs one at a time): the run neither starts nor ends it. Without it the run starts its own.
   */
  client?: ScoringWorkerClient;
}

/**
 * The extension's settings as run options: empty settings leave coverage.json's values; a path
 * (eval set, store, reference model) is relative to the run folder or absolute.
 */
export function fromSettings(s: Settings): Pick<RunOptions, 'overrides' | 'scoring'> {
  const overrides: ConfigOverrides = { source: 'the checkpointCoverage settings' };
  if (s.evalSet) overrides.eval = s.evalSet;
  if (s.storeLocation) overrides.store = s.storeLocation;
  if (s.nGrid.length) overrides.nGrid = s.nGrid;
  if (s.selectionN !== null) overrides.selectionN = s.selectionN;
  const reference = s.reference ? parseReferenceText(s.reference) : undefined;
  if (reference !== undefined) overrides.reference = reference;
  return { overrides, scoring: { provider: s.executionProvider, tokenBudget: s.tokenBudget, threads: s.threads } };
}
