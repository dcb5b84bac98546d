// `checkpoint-coverage slurm <run>`: scores the run as a Slurm job array. Writes the two batch
// scripts (core/cluster) under the run's store, submits the array and then the report job that
// depends on it, and says how to follow them. The scripts run the node binary and the CLI
// bundle of this installation, so the compute nodes run the same code that submitted them.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DEFAULT_TASKS, parseSlurmRequest, shellQuote, slurmJob, type SlurmJob } from '../core/cluster';
import { writeFileAtomically } from '../core/store/files';
import { EXIT_OK, UsageError, parseCommandArgs, type CliIO, type Command } from './args';
import { scanRunFolder } from '../run/openRun';

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
    const { values, positionals } = parseCommandArgs(joinExtra(argv), {
      tasks: { type: 'string' }, partition: { type: 'string' }, 'gpus-per-task': { type: 'string' },
      'cpus-per-task': { type: 'string' }, mem: { type: 'string' }, time: { type: 'string' },
      account: { type: 'string' }, extra: { type: 'string' }, 'dry-run': { type: 'boolean' },
    }, { min: 1, max: 1, names: 'the run folder' });
    const request = parseSlurmRequest({
      tasks: values.tasks, partition: values.partition, gpusPerTask: values['gpus-per-task'], cpusPerTask: values['cpus-per-task'],
      mem: values.mem, time: values.time, account: values.account, extra: values.extra,
    });
    if (!request.ok) throw new UsageError(request.reason);

    const run = resolve(io.cwd, positionals[0]);
    const { config, layout } = await scanRunFolder(run);
    const found = layout.checkpoints.length;
    const coming = layout.pending.length;
    if (found + coming === 0) throw new Error(`${run}: no checkpoints found; nothing to score (see README.md for the names a checkpoint may have)`);
    const cli = cliBundle();
    const job = slurmJob({ node: process.execPath, cli, run, store: config.store }, request.value);
    if (!job.ok) throw new Error(job.reason);
    const j = job.value;
    const tasks = request.value.tasks;
    if (tasks > found + coming) io.err(`note: ${tasks} tasks for ${found + coming} checkpoint(s); the tasks beyond have none kept for them and mostly wait\n`);

    if (values['dry-run']) {
      io.out(`# ${j.score.path}\n${j.score.text}\n# ${j.report.path}\n${j.report.text}\n` +
        '# --dry-run: nothing was written or submitted. These would be:\n' +
        `mkdir -p ${shellQuote(j.logs)}\n` +
        `sbatch ${j.scoreArgs.map(shellQuote).join(' ')}\n` +
        `sbatch ${j.reportArgs(ARRAY_ID).map(shellQuote).join(' ')}   # ${ARRAY_ID}: what the first sbatch printed\n`);
      return EXIT_OK;
    }
    if (!existsSync(cli)) throw new Error(`${cli} is missing, and the jobs would run it; run 'npm run build' in ${resolve(cli, '..', '..')} first`);

    await fs.mkdir(j.logs, { recursive: true });
    for (const script of [j.score, j.report]) {
      await writeFileAtomically(script.path, new TextEncoder().encode(script.text)).catch((e: unknown) => {
        throw new Error(`cannot write ${script.path}: ${(e as Error).message}`);
      });
    }
    const arrayId = await sbatch(j.scoreArgs);
    let reportId: string;
    try {
      reportId = await sbatch(j.reportArgs(arrayId));
    } catch (e) {
      io.out(`Submitted the scoring array ${arrayId} (${tasks} tasks), but not its report job.\n`);
      throw new Error(`${(e as Error).message}\nThe tasks will score the run; for the report, run 'sbatch --dependency=afterany:${arrayId} ${shellQuote(j.report.path)}' or 'checkpoint-coverage report ${shellQuote(run)}' once they end.`);
    }
    io.out(submitted(j, { run, found, coming, tasks, arrayId, reportId }));
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

/** Runs `sbatch --parsable …` and returns the job id it prints (`id` or `id;cluster`). */
function sbatch(args: string[]): Promise<string> {
  return new Promise((done, failed) => {
    execFile('sbatch', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      const said = stderr.trim();
      if (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          failed(new Error("sbatch is not on the PATH: run this where jobs are submitted to Slurm (a login node), or add --dry-run to see the scripts"));
        } else failed(new Error(`sbatch ${args.join(' ')} failed (exit ${error.code ?? error.signal}): ${said || 'no message'}`));
        return;
      }
      const id = stdout.trim().split(/[;\n]/)[0];
      if (!/^\d+$/.test(id)) failed(new Error(`sbatch ${args.join(' ')} printed ${JSON.stringify(stdout.trim())}, not a job id${said ? ` (${said})` : ''}`));
      else done(id);
    });
  });
}

function submitted(j: SlurmJob, s: { run: string; found: number; coming: number; tasks: number; arrayId: string; reportId: string }): string {
  const q = shellQuote;
  const ids = `${s.arrayId},${s.reportId}`;
  return [
    `Submitted ${q(s.run)} (${s.found} checkpoint(s)${s.coming ? `, ${s.coming} still being written` : ''}) to Slurm:`,
    `  scoring  job array ${s.arrayId}: tasks ${s.arrayId}_0 to ${s.arrayId}_${s.tasks - 1}`,
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
