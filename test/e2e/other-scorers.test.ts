// Another process scores the run that is open in the panel: `checkpoint-coverage score` from a
// terminal (standing in for a cluster task). The CLI's worker is held after the first batch of its
// first checkpoint (the worker's test hook), so that checkpoint is surely being scored elsewhere
// while the panel opens; the panel shows it so and leaves it alone, scores the others itself, and
// fills the row in when the CLI, released, stores the result.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { launchWorkbench, type Browser } from './browser';
import { pickFolder } from './dialogs';
import { e2eEnv } from './env';
import { findFrame, scoreRows, SCORING_MS, waitAllScored } from './panel';
import { screenshot } from './recorders';
import { listCheckpointDirs } from './run-files';
import { story, waitUntil } from './story';
import { byTestId, TESTID, UI } from './testids';
import { assertNoErrors, runCommand } from './workbench';

const env = e2eEnv();

describe('another process scoring the open run', () => {
  let b: Browser;
  let page: Page;
  let frame: Frame;
  let cli: ChildProcess | undefined;
  let cliErr = '';
  let cliExit: Promise<number | null>;
  const run = join(env.workspace, 'shared-run');
  const release = join(env.workspace, '.release-held-job');
  let held = '';
  let count = 0;
  const scenario = story('others-', () => page);
  const noErrors = (): Promise<void> => assertNoErrors(page);

  before(async () => {
    cpSync(env.cliRunDir, run, { recursive: true });
    rmSync(join(run, '.coverage'), { recursive: true, force: true });
    const dirs = listCheckpointDirs(run);
    count = dirs.length;
    // The CLI scores in step order: its first checkpoint is the one held.
    held = `${relative(run, dirs[0].dir)}/model.onnx`;
    // Files changed in the last 2 s count as still being written (the run-folder contract).
    await new Promise((r) => setTimeout(r, 2500));
    b = await launchWorkbench(env);
    page = b.page;
  });
  after(async () => {
    writeFileSync(release, '');
    cli?.kill();
    await b?.close('others-zz-last');
  });

  scenario('the CLI starts scoring the run and holds its first checkpoint', { timeout: 120_000 }, async () => {
    cli = spawn(process.execPath, [env.cli, 'score', run, '--provider', 'cpu'], {
      env: { ...process.env, CHECKPOINT_COVERAGE_TEST_HOLD_JOB: held, CHECKPOINT_COVERAGE_TEST_RELEASE_FILE: release },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cli.stderr?.setEncoding('utf8').on('data', (t: string) => {
      cliErr += t;
    });
    cliExit = new Promise((resolve) => cli!.once('exit', (code) => resolve(code)));
    // Its claim is a lock file naming the checkpoint; the held job keeps it.
    await waitUntil(
      'the CLI to claim its first checkpoint',
      async () => {
        const locks = join(run, '.coverage', 'locks');
        return existsSync(locks) && readdirSync(locks).some((n) => n.endsWith('.lock'));
      },
      { timeoutMs: 60_000 },
    );
  });

  scenario('the panel shows that checkpoint as scoring elsewhere and scores the others', { timeout: SCORING_MS + 60_000 }, async () => {
    await runCommand(page, UI.openRun);
    await pickFolder(page, run);
    frame = await findFrame(page, byTestId(TESTID.panel));
    const row = await waitUntil(
      'the held checkpoint to show as scoring elsewhere',
      async () => {
        const r = (await scoreRows(frame)).find((x) => x.path === held);
        return r?.state === 'elsewhere' ? r : undefined;
      },
      { timeoutMs: 60_000, guard: noErrors },
    );
    assert.equal(row.path, held);
    const cell = frame.locator(`${byTestId(TESTID.scoreRow)}[data-path="${held}"]`);
    assert.match(
      (await cell.textContent()) ?? '',
      /scoring elsewhere \(\S+ · pid \d+ · since /,
      'the row names the host, the pid and the start',
    );
    // Everything else is scored here, while the held one stays elsewhere.
    await waitUntil(
      'every other checkpoint to be scored here',
      async () => {
        const rows = await scoreRows(frame);
        return rows.length === count && rows.every((x) => (x.path === held ? x.state === 'elsewhere' : x.state === 'done'));
      },
      { timeoutMs: SCORING_MS, guard: noErrors },
    );
    await screenshot(page, 'others-01-elsewhere');
  });

  scenario('released, the CLI stores the result and the row fills in from the store', { timeout: SCORING_MS }, async () => {
    writeFileSync(release, '');
    assert.equal(await cliExit, 0, cliErr);
    // The CLI scored the held checkpoint itself; the others came from the store the panel filled.
    assert.match(cliErr, new RegExp(`${held.replace(/[.]/g, '\\.')}: scored on cpu`));
    await waitAllScored(page, frame, count);
    await screenshot(page, 'others-02-filled-in');
  });
});
