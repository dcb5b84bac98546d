// What the session asks of the store around the scoring loop: whether a checkpoint is stored
// already (at open), and Rescore (forget every stored score, queue everything again).
import { asScoreError } from '../core/scoreError';
import type { CheckpointEntry } from '../core/types';
import { errorText } from '../shared/rpc';
import type { OpenedRun } from './engine';
import type { ScoringLoop } from './scoringLoop';
import type { SessionLog } from './sessionLog';

/**
 * Rescore: cancels what runs, forgets every checkpoint's stored scores and queues them all
 * again; one whose stored scores cannot be removed fails, since scoring it would only read them back.
 */
export async function rescoreAll(
  loop: ScoringLoop,
  opened: OpenedRun,
  entries: readonly CheckpointEntry[],
  log: SessionLog,
): Promise<void> {
  loop.cancelAll();
  const queued: CheckpointEntry[] = [];
  for (const e of entries) {
    try {
      await opened.invalidate(e);
      queued.push(e);
    } catch (err) {
      const failure = asScoreError(err, { kind: 'store', checkpoint: e.path });
      loop.markFailed(e.path, { ...failure.data, message: `cannot rescore: ${failure.message}` });
      log.error('rescore', `${e.path}: ${failure.message}`);
    }
  }
  loop.enqueue(queued, 'initial');
}

/** Whether the store already holds a checkpoint's scores; a store that cannot be read means score it again, said in the log. */
export async function alreadyStored(opened: OpenedRun, e: CheckpointEntry, log: SessionLog): Promise<boolean> {
  try {
    return await opened.hasScores(e);
  } catch (err) {
    log.warn('store', `cannot read the stored scores of ${e.path}, scoring it again: ${errorText(err)}`);
    return false;
  }
}
