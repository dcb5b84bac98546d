// Running one run's scoring as the tasks of a job array on a cluster: which checkpoints a task
// takes first (task.ts, for any scheduler that numbers its tasks), and the Slurm batch scripts
// with the shell quoting they need (sbatch.ts, shell.ts). Pure: the CLI reads the environment,
// writes the scripts and calls sbatch.
export { taskPlan, taskSlotFromEnv, type TaskPlan, type TaskSlot, type TaskSlotResult } from './task';
export { shellQuote, splitShellWords, type ShellWords } from './shell';
export {
  DEFAULT_TASKS,
  parseSlurmRequest,
  slurmJob,
  type BatchScript,
  type Checked,
  type SlurmJob,
  type SlurmJobPlaces,
  type SlurmRequest,
  type SlurmRequestInput,
} from './sbatch';
