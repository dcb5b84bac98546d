// Running one run's scoring as the tasks of a job array on a cluster: which checkpoints a task
// takes first (task.ts, for any scheduler that numbers its tasks). Pure: the CLI reads the
// environment.
export { taskPlan, taskSlotFromEnv, type TaskPlan, type TaskSlot, type TaskSlotResult } from './task';
