// Which checkpoints one task of a job array takes first. Every task of the array (Slurm's
// SLURM_ARRAY_TASK_ID, a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) runs the same `score`
// command and the store's claims split the work; this only says where each task starts and
// which one checkpoint is kept for it. Starting apart spreads the tasks from their first
// minute instead of all queueing on checkpoint 0; keeping one checkpoint per task means every
// task that runs scores something, even one that starts after the others have done the rest
// (which also makes the work of a small array over few CPUs checkable from its logs).

/** Who this task is within its array. */
export interface TaskSlot {
  /** 0-based position in the array. */
  index: number;
  /** Tasks in the array, when known: only then are starts spread and checkpoints kept. */
  count?: number;
  /** The variable the index came from, for the task's log: `SLURM_ARRAY_TASK_ID=2`. */
  source: string;
}

export type TaskSlotResult = { ok: true; slot?: TaskSlot } | { ok: false; reason: string };

const WHOLE = /^\d+$/;

/**
 * The task's slot from its environment; none outside an array (then `score` scores everything
 * in order, as before). `tasks` is the count given on the command line (`score --tasks K`),
 * which a Kubernetes Indexed Job needs since its pods are not told how many there are; a Slurm
 * task reads SLURM_ARRAY_TASK_COUNT. A Slurm array that does not start at 0 or steps (`1-7:2`)
 * is mapped onto 0, 1, 2, …
 */
export function taskSlotFromEnv(env: Readonly<Record<string, string | undefined>>, tasks?: number): TaskSlotResult {
  const slurm = env.SLURM_ARRAY_TASK_ID;
  const k8s = env.JOB_COMPLETION_INDEX;
  const name =
    slurm !== undefined && slurm !== '' ? 'SLURM_ARRAY_TASK_ID' : k8s !== undefined && k8s !== '' ? 'JOB_COMPLETION_INDEX' : undefined;
  if (name === undefined) {
    if (tasks !== undefined)
      return { ok: false, reason: `--tasks ${tasks} is for array tasks, but neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set` };
    return { ok: true };
  }
  const raw = env[name]!;
  if (!WHOLE.test(raw)) return { ok: false, reason: `${name}=${raw}: expected a whole number` };
  let index = Number(raw);
  let count = tasks;
  if (name === 'SLURM_ARRAY_TASK_ID') {
    const min = wholeOr(env.SLURM_ARRAY_TASK_MIN);
    const step = wholeOr(env.SLURM_ARRAY_TASK_STEP);
    if (min !== undefined && index >= min && (index - min) % (step || 1) === 0) index = (index - min) / (step || 1);
    if (count === undefined) {
      count = wholeOr(env.SLURM_ARRAY_TASK_COUNT);
      // An irregular array (`--array=1,5,9`) gives indexes beyond its count: claims alone then.
      if (count !== undefined && (count < 1 || index >= count)) count = undefined;
    }
  }
  if (count !== undefined && index >= count)
    return { ok: false, reason: `${name}=${raw} is not below --tasks ${count}: the indexes of ${count} tasks are 0 to ${count - 1}` };
  return { ok: true, slot: { index, ...(count === undefined ? {} : { count }), source: `${name}=${raw}` } };
}

function wholeOr(v: string | undefined): number | undefined {
  return v !== undefined && WHOLE.test(v) ? Number(v) : undefined;
}

/** The order one task tries a run's checkpoints in (indexes into the run's step order). */
export interface TaskPlan {
  /** Tried by this task: its start first, then on around the run. */
  order: number[];
  /** Kept for the other tasks (each one's start); this task waits for one only once its task has claimed it. */
  keptForOthers: number[];
  /** The checkpoint kept for this task, if any. */
  own?: number;
}

/**
 * Task t of K starts at checkpoint ⌊t·n/K⌋ and that checkpoint is kept for it (for the first
 * task with that start, when K > n). Without a count every task tries every checkpoint in order.
 */
export function taskPlan(n: number, slot?: TaskSlot): TaskPlan {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!slot || slot.count === undefined || n === 0) return { order: all, keptForOthers: [] };
  const k = slot.count;
  const start = (t: number) => Math.floor((t * n) / k);
  const keeper = new Map<number, number>();
  for (let t = 0; t < k; t++) if (!keeper.has(start(t))) keeper.set(start(t), t);
  const first = start(slot.index);
  const order: number[] = [];
  const keptForOthers: number[] = [];
  for (let s = 0; s < n; s++) {
    const j = (first + s) % n;
    const t = keeper.get(j);
    if (t !== undefined && t !== slot.index) keptForOthers.push(j);
    else order.push(j);
  }
  const own = keeper.get(first) === slot.index ? first : undefined;
  return { order, keptForOthers, ...(own === undefined ? {} : { own }) };
}
