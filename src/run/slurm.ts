// Submitting a run to Slurm: the two batch scripts (core/cluster) written under the run's
// store, the scoring array, then the report job that depends on it. The CLI's `slurm` command
// and the extension's Score on Slurm… both submit through here, each with the node binary and
// the CLI bundle of its own installation, which the compute nodes then run.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { shellQuote, slurmJob, type SlurmJob, type SlurmRequest } from '../core/cluster';
import { writeFileAtomically } from '../core/store/files';
import { scanRunFolder } from './openRun';

/** The programs the jobs run: a node binary and the CLI bundle (dist/cli.js). */
export interface Installation {
  node: string;
  cli: string;
}

export interface PreparedSlurmJob {
  run: string;
  job: SlurmJob;
  request: SlurmRequest;
  /** Checkpoints found now, and files still being written (the tasks will see them). */
  found: number;
  coming: number;
}

export interface SlurmSubmission extends PreparedSlurmJob {
  arrayId: string;
  reportId: string;
}

/** The scripts for this run and request; throws when the run has no checkpoint at all. */
export async function prepareSlurmJob(runIn: string, request: SlurmRequest, installation: Installation): Promise<PreparedSlurmJob> {
  const run = resolve(runIn);
  const { config, layout } = await scanRunFolder(run);
  const found = layout.checkpoints.length;
  const coming = layout.pending.length;
  if (found + coming === 0)
    throw new Error(`${run}: no checkpoints found; nothing to score (see README.md for the names a checkpoint may have)`);
  const job = slurmJob({ node: installation.node, cli: installation.cli, run, store: config.store }, request);
  if (!job.ok) throw new Error(job.reason);
  return { run, job: job.value, request, found, coming };
}

/** Writes the scripts and submits both jobs. A report job that cannot be submitted is said, with how to run it by hand. */
export async function submitSlurmJob(p: PreparedSlurmJob, installation: Installation): Promise<SlurmSubmission> {
  if (!existsSync(installation.cli))
    throw new Error(
      `${installation.cli} is missing, and the jobs would run it; run 'npm run build' in ${resolve(installation.cli, '..', '..')} first`,
    );
  const j = p.job;
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
    throw new Error(
      `Submitted the scoring array ${arrayId} (${p.request.tasks} tasks), but not its report job: ${(e as Error).message}\n` +
        `The tasks will score the run; for the report, run 'sbatch --dependency=afterany:${arrayId} ${shellQuote(j.report.path)}' or 'checkpoint-coverage report ${shellQuote(p.run)}' once they end.`,
    );
  }
  return { ...p, arrayId, reportId };
}

/** Where `sbatch` is on the PATH, if it is: Slurm's submit host. */
export async function findSbatch(path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const file = join(dir, 'sbatch');
    try {
      await fs.access(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs `sbatch --parsable …` and returns the job id it prints (`id` or `id;cluster`). */
function sbatch(args: string[]): Promise<string> {
  return new Promise((done, failed) => {
    execFile('sbatch', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      const said = stderr.trim();
      if (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          failed(
            new Error(
              'sbatch is not on the PATH: run this where jobs are submitted to Slurm (a login node), or add --dry-run to see the scripts',
            ),
          );
        } else failed(new Error(`sbatch ${args.join(' ')} failed (exit ${error.code ?? error.signal}): ${said || 'no message'}`));
        return;
      }
      const id = stdout.trim().split(/[;\n]/)[0];
      if (!/^\d+$/.test(id))
        failed(new Error(`sbatch ${args.join(' ')} printed ${JSON.stringify(stdout.trim())}, not a job id${said ? ` (${said})` : ''}`));
      else done(id);
    });
  });
}
