// A run scored as one task of a job array (Slurm, a Kubernetes Indexed Job): the task starts at
// its own share of the checkpoints (core/cluster's taskPlan), and a checkpoint kept for another
// task is left to it until that task has claimed it; once claimed it is like any other (awaited,
// and taken over if its holder died). Without a task slot this is plain ensureScored.
import { hostname } from 'node:os';
import { taskPlan, type TaskSlot } from '../core/cluster';
import type { RunLayout } from '../core/layout';
import { readClaims } from '../core/store/claims';
import type { CheckpointEntry } from '../core/types';
import type { Run } from './openRun';
import type { CheckpointOutcome, EnsureScoredHooks, EnsureScoredResult } from './runScorer';

export interface TaskResult extends EnsureScoredResult {
  /** Checkpoints kept for other tasks that had neither claimed nor stored them yet. */
  left: CheckpointEntry[];
}

/** The first line of an array task's log: who it is, and where it starts. */
export function describeTask(t: TaskSlot, layout: RunLayout): string {
  const plan = taskPlan(layout.checkpoints.length, t);
  const own = plan.own === undefined ? undefined : layout.checkpoints[plan.own].path;
  const who = `task ${t.index}${t.count === undefined ? '' : ` of ${t.count}`} (${t.source}) on ${hostname()}, pid ${process.pid}`;
  const start = own
    ? `starts at ${own}, kept for it`
    : t.count === undefined
      ? 'no task count (--tasks or SLURM_ARRAY_TASK_COUNT), so no checkpoint is kept for it'
      : 'no checkpoint is kept for it';
  return `${who}: ${layout.checkpoints.length} checkpoint(s); ${start}`;
}

export async function ensureScoredAsTask(
  run: Run,
  layout: RunLayout,
  task: TaskSlot | undefined,
  hooks: EnsureScoredHooks = {},
): Promise<TaskResult> {
  if (!task) return { ...(await run.ensureScored(layout.checkpoints, hooks)), left: [] };
  const plan = taskPlan(layout.checkpoints.length, task);
  const at = (i: number) => layout.checkpoints[i];
  const mine = await run.ensureScored(plan.order.map(at), hooks);
  const claimed = new Set((await readClaims(run.scorer.dir)).map((c) => c.holder?.checkpoint));
  const awaited: CheckpointEntry[] = [];
  const outcomes: CheckpointOutcome[] = [...mine.outcomes];
  const left: CheckpointEntry[] = [];
  for (const entry of plan.keptForOthers.map(at)) {
    if (claimed.has(entry.path)) awaited.push(entry);
    else {
      const found = await run.scorer.lookup(entry).catch(() => undefined);
      if (found?.status === 'ok') outcomes.push({ entry, record: found.record, reused: true });
      else left.push(entry);
    }
  }
  const theirs = await run.ensureScored(awaited, hooks);
  return {
    outcomes: [...outcomes, ...theirs.outcomes],
    scoringSeconds: mine.scoringSeconds + theirs.scoringSeconds,
    lookupSeconds: mine.lookupSeconds + theirs.lookupSeconds,
    left,
  };
}
