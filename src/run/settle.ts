// Waiting for checkpoints that were written a moment ago. The layout scan leaves a checkpoint
// changed in the last seconds pending (it may still be growing); the extension rescans later,
// but a script that writes a checkpoint and then runs the CLI would find nothing to score. So
// the CLI's commands scan through here: while some checkpoint is pending only because it changed
// recently, they wait (bounded) and scan again. Files with an in-progress name (`*.tmp`,
// `*.partial`, a hidden rsync temp) are not waited for: nobody knows when those end.
import type { RunLayout } from '../core/layout';

/** The longest a command waits for recent checkpoints by default. */
export const DEFAULT_SETTLE_WAIT_MS = 60_000;

export interface SettleWaitOptions {
  /** The longest wait; 0 scans once (the CLI's --no-wait). */
  maxWaitMs?: number;
  /** Called before each wait with the checkpoints waited for and the time left. */
  onWait?: (settling: readonly string[], leftMs: number) => void;
  /** Tests inject a clock and a sleep. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Slack after the moment the scan says a file settles, so the next scan finds it settled. */
const AFTER_MS = 50;

/**
 * The run's layout once no checkpoint is pending for a recent change, or once `maxWaitMs` has
 * passed (what is still settling then stays pending, as a plain scan leaves it).
 */
export async function scanSettled(run: { scan(): Promise<RunLayout> }, o: SettleWaitOptions = {}): Promise<RunLayout> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (o.maxWaitMs ?? DEFAULT_SETTLE_WAIT_MS);
  for (;;) {
    const layout = await run.scan();
    const left = deadline - now();
    if (layout.settling.length === 0 || left <= 0) return layout;
    o.onWait?.(layout.settling, left);
    // A file changed again meanwhile moves settledAt on; the next scan sees it.
    await sleep(Math.min(left, Math.max(AFTER_MS, layout.settledAt - now() + AFTER_MS)));
  }
}
