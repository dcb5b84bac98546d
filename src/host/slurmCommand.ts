// Score on Slurm…: submits the open run to the cluster the window runs on (Remote-SSH to a login
// node, say), as `checkpoint-coverage slurm` does, with this extension's node and CLI bundle.
// Offered only where `sbatch` is on the PATH (context key checkpointCoverage.slurmAvailable).
// The rows then show "scoring elsewhere" as the tasks claim checkpoints, and fill in as they
// store results: the session watches the store.
import * as vscode from 'vscode';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DEFAULT_TASKS, parseSlurmRequest } from '../core/cluster';
import { findSbatch, prepareSlurmJob, submitSlurmJob, type Installation } from '../run/slurm';
import { errorText } from '../shared/rpc';
import type { Log } from './log';

export const SCORE_ON_SLURM = 'checkpointCoverage.scoreOnSlurm';
const AVAILABLE = 'checkpointCoverage.slurmAvailable';

export function registerSlurmCommand(context: vscode.ExtensionContext, log: Log, openRuns: () => readonly string[]): vscode.Disposable {
  void findSbatch().then((sbatch) => {
    if (sbatch) log.info('slurm', `sbatch found at ${sbatch}: Score on Slurm… is offered`);
    return vscode.commands.executeCommand('setContext', AVAILABLE, sbatch !== undefined);
  });
  const installation: Installation = { node: process.execPath, cli: join(context.extensionPath, 'dist', 'cli.js') };
  return vscode.commands.registerCommand(SCORE_ON_SLURM, async () => {
    const runs = openRuns();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('Open a run first (Checkpoint Coverage: Open Run…).');
      return;
    }
    const run = await pickRun(runs);
    if (run) await scoreOnSlurm(log, run, installation);
  });
}

/** The one open run, or the one picked among several (undefined: cancelled). */
async function pickRun(runs: readonly string[]): Promise<string | undefined> {
  if (runs.length === 1) return runs[0];
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: basename(r), description: r, run: r })),
    { title: 'Score on Slurm: which run?' },
  );
  return pick?.run;
}

async function scoreOnSlurm(log: Log, run: string, installation: Installation): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage("Scoring runs the checkpoints' ONNX graphs on the cluster. Trust this workspace first.");
    return;
  }
  const title = 'Score on Slurm';
  const tasks = await vscode.window.showInputBox({
    title,
    prompt: 'How many array tasks? Each scores the checkpoints the others have not claimed.',
    value: String(DEFAULT_TASKS),
    validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'A positive whole number of tasks'),
  });
  if (tasks === undefined) return;
  const partition = await vscode.window.showInputBox({
    title,
    prompt: "Partition (empty: the cluster's default)",
    placeHolder: 'default partition',
  });
  if (partition === undefined) return;
  const request = parseSlurmRequest({ tasks: tasks.trim(), partition: partition.trim() || undefined });
  if (!request.ok) {
    void log.tell('error', `Score on Slurm: ${request.reason}`);
    return;
  }
  try {
    const s = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Submitting to Slurm…' },
      async () => submitSlurmJob(await prepareSlurmJob(run, request.value, installation), installation),
    );
    log.info(
      'slurm',
      `submitted ${run}: job array ${s.arrayId} (${s.request.tasks} tasks), report job ${s.reportId}; scripts in ${s.job.dir}`,
    );
    const pick = await vscode.window.showInformationMessage(
      `Submitted to Slurm: job array ${s.arrayId} (${s.request.tasks} tasks), then report job ${s.reportId}. Checkpoints show "scoring elsewhere" while the tasks score them.`,
      'Open a Log',
    );
    if (pick) await openLog(s.job.logs);
  } catch (err) {
    log.error('slurm', errorText(err));
    void log.tell('error', `Could not submit to Slurm: ${errorText(err)}`);
  }
}

/** Lets the user pick one of the job's logs (they appear as the tasks start). */
async function openLog(logs: string): Promise<void> {
  const names = (await readdir(logs).catch(() => [] as string[])).filter((n) => n.endsWith('.log')).sort();
  if (names.length === 0) {
    void vscode.window.showInformationMessage(`No log yet: the tasks write them to ${logs} once they start.`);
    return;
  }
  const name = await vscode.window.showQuickPick(names, { title: 'Slurm logs', placeHolder: logs });
  if (name) await vscode.window.showTextDocument(vscode.Uri.file(join(logs, name)));
}
