// A run folder scored the way `checkpoint-coverage score` scores it (src/run's openRun, the
// layout scan, ensureScored, with the CLI's progress bar when a sink is given), for tests that
// check what lands in the store. Failures come back worded as the CLI prints them.
import { describeFailure } from '../../src/core/scoreError';
import type { ProviderSetting } from '../../src/core/store';
import { scoreLayout, warningLog, type ProgressOut } from '../../src/cli/score';
import { openRun } from '../../src/run/openRun';
import type { CheckpointOutcome } from '../../src/run/runScorer';

/** The failure line the CLI prints for an outcome (`<path>: <reason>`), or undefined when it was scored. */
export function failureLine(o: CheckpointOutcome): string | undefined {
  return o.failure ? describeFailure(o.failure.data) : undefined;
}

export async function scoreRunFolder(root: string, opts: { provider?: ProviderSetting; settleMs?: number; progress?: ProgressOut } = {}) {
  const run = await openRun(root, {
    scoring: { provider: opts.provider },
    settleMs: opts.settleMs,
    log: opts.progress && warningLog(opts.progress),
  });
  try {
    const layout = await run.scan();
    const result = opts.progress ? await scoreLayout(run, layout, opts.progress) : await run.ensureScored(layout.checkpoints);
    return {
      ...result,
      outcomes: result.outcomes.map((o) => ({ ...o, error: failureLine(o) })),
      layout,
      evalSet: run.evalSet,
      config: run.config,
    };
  } finally {
    await run.dispose();
  }
}
