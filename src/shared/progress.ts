// Scoring progress over several runs, for the status bar and the panel's progress line.
import type { ScoringProgress } from './protocol';

/**
 * Several runs' progress as one (they share one worker): the counts add up; the job running is
 * the one run scoring now, with its rate; the provider is any run's.
 */
export function totalProgress(all: readonly ScoringProgress[]): ScoringProgress {
  const busy = all.find((p) => p.current !== null);
  return {
    done: all.reduce((a, p) => a + p.done, 0),
    failed: all.reduce((a, p) => a + p.failed, 0),
    elsewhere: all.reduce((a, p) => a + p.elsewhere, 0),
    total: all.reduce((a, p) => a + p.total, 0),
    current: busy?.current ?? null,
    tokensPerSecond: busy?.tokensPerSecond ?? all.find((p) => p.tokensPerSecond !== null)?.tokensPerSecond ?? null,
    provider: busy?.provider ?? all.find((p) => p.provider !== null)?.provider ?? null,
  };
}
