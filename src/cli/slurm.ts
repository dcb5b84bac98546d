// `checkpoint-coverage slurm <run>`: scores the run as a Slurm job array. Writes the two batch
// scripts (core/cluster) under the run's store, submits the array and then the report job that
// depends on it, and says how to follow them. The scripts run the node binary and the CLI
// bundle of this installation, so the compute nodes run the same code that submitted them.
import { basename, resolve } from 'node:path';
import { DEFAULT_TASKS, parseSlurmRequest, shellQuote } from '../core/cluster';
import { prepareSlurmJob, submitSlurmJob, type SlurmSubmission } from '../run/slurm';
import { EXIT_OK, UsageError, parseCommandArgs, type CliIO, type Command } from './args';

const USAGE = `Usage: checkpoint-coverage slurm <run> [--tasks K] [--partition P] [--gpus-per-task G]
                                  [--cpus-per-task C] [--mem M] [--time T] [--account A]
                                  [--extra "<sbatch args>"] [--dry-run]

Scores the run on a Slurm cluster: a job array of K tasks, each running 'checkpoint-coverage
score <run>' (the store's claims split the checkpoints between them, and a cancelled task's
checkpoint is taken over), then a report job that starts once every task has ended and writes
report.json and report.txt into the run's store. The scripts are written to <store>/slurm/, the
logs to <store>/slurm/logs/; the run folder must be on a file system the nodes share.
  --tasks           array tasks (default ${DEFAULT_TASKS})
  --partition, --account, --time, --mem, --cpus-per-task, --gpus-per-task
                    as sbatch takes them, for every task and the report job; --cpus-per-task
                    also sets each task's onnxruntime threads
  --extra           more sbatch arguments for both jobs, e.g. --extra "--qos=high --constraint=a100"
  --dry-run         print the scripts and the sbatch commands; write and submit nothing
Exit codes: 0 submitted (or printed), 1 the run could not be read or sbatch failed, 2 bad arguments.
`;

/** A placeholder for the array's id in the dry run's second command. */
const ARRAY_ID = 'ARRAY_ID';

export const command: Command = {
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      joinExtra(argv),
      {
        tasks: { type: 'string' },
        partition: { type: 'string' },
        'gpus-per-task': { type: 'string' },
        'cpus-per-task': { type: 'string' },
        mem: { type: 'string' },
        time: { type: 'string' },
        account: { type: 'string' },
        extra: { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'the run folder' },
    );
    const request = parseSlurmRequest({
      tasks: values.tasks,
      partition: values.partition,
      gpusPerTask: values['gpus-per-task'],
      cpusPerTask: values['cpus-per-task'],
      mem: values.mem,
      time: values.time,
      account: values.account,
      extra: values.extra,
    });
    if (!request.ok) throw new UsageError(request.reason);

    const installation = { node: process.execPath, cli: cliBundle() };
    const prepared = await prepareSlurmJob(resolve(io.cwd, positionals[0]), request.value, installation);
    const { job: j, found, coming } = prepared;
    const tasks = request.value.tasks;
    if (tasks > found + coming)
      io.err(`note: ${tasks} tasks for ${found + coming} checkpoint(s); the tasks beyond have none kept for them and mostly wait\n`);

    if (values['dry-run']) {
      io.out(
        `# ${j.score.path}\n${j.score.text}\n# ${j.report.path}\n${j.report.text}\n` +
          '# --dry-run: nothing was written or submitted. These would be:\n' +
          `mkdir -p ${shellQuote(j.logs)}\n` +
          `sbatch ${j.scoreArgs.map(shellQuote).join(' ')}\n` +
          `sbatch ${j.reportArgs(ARRAY_ID).map(shellQuote).join(' ')}   # ${ARRAY_ID}: what the first sbatch printed\n`,
      );
      return EXIT_OK;
    }
    io.out(submitted(await submitSlurmJob(prepared, installation)));
    return EXIT_OK;
  },
};

/** `--extra "--qos=high"` as `--extra=--qos=high`: node's parser takes a value that starts with a dash only so. */
function joinExtra(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--extra' && i + 1 < argv.length) out.push(`--extra=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/**
 * The CLI bundle this process runs from (dist/cli.js). Run from the sources through tsx (the
 * tests), it is the bundle built beside them, which is what an installed CLI runs.
 */
function cliBundle(): string {
  return basename(__filename) === 'cli.js' ? __filename : resolve(__dirname, '..', '..', 'dist', 'cli.js');
}

function submitted(s: SlurmSubmission): string {
  const q = shellQuote;
  const j = s.job;
  const tasks = s.request.tasks;
  const ids = `${s.arrayId},${s.reportId}`;
  return [
    `Submitted ${q(s.run)} (${s.found} checkpoint(s)${s.coming ? `, ${s.coming} still being written` : ''}) to Slurm:`,
    `  scoring  job array ${s.arrayId}: tasks ${s.arrayId}_0 to ${s.arrayId}_${tasks - 1}`,
    `  report   job ${s.reportId}, once every task has ended: writes ${j.outputs.json} and report.txt`,
    `Scripts: ${j.score.path}, ${j.report.path}`,
    'Follow:',
    `  squeue -j ${ids}`,
    `  sacct -X -j ${ids} -o JobID,State,Elapsed,ExitCode     (where Slurm keeps accounting)`,
    `  tail -f ${q(j.logs)}/score-${s.arrayId}_*.log`,
    `  cat ${q(j.reportLog(s.reportId))}`,
    `  checkpoint-coverage runs ${q(s.run)}     (what is stored, and what is scoring elsewhere)`,
    `Cancel: scancel ${s.arrayId} ${s.reportId}`,
    '',
  ].join('\n');
}
