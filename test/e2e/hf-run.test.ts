// A run of Hugging Face checkpoints (checkpoint-N/config.json + model.safetensors, one of them
// sharded) opens in the panel and is scored like the ONNX demo: the tree lists every
// checkpoint, every row is scored, the verdict names the step `checkpoint-coverage report
// --json` suggests on an untouched copy, and the inspect view says how the checkpoint is stored.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { launchWorkbench, type Browser } from './browser';
import { pickFolder } from './dialogs';
import { e2eEnv } from './env';
import { findFrame, SCORING_MS, stepOf, waitAllScored } from './panel';
import { screenshot } from './recorders';
import { story, waitUntil } from './story';
import { byTestId, TESTID, UI } from './testids';
import { assertNoErrors, runCommand, treeItems, treePane } from './workbench';

const env = e2eEnv();
const STEPS = [100, 200, 300, 400];

describe('a run of safetensors checkpoints in the panel', () => {
  let b: Browser;
  let page: Page;
  let frame: Frame;
  const noErrors = (): Promise<void> => assertNoErrors(page);
  const scenario = story('hf-', () => page);

  before(async () => {
    b = await launchWorkbench(env);
    page = b.page;
  });
  after(() => b?.close('zz-hf-last'));

  scenario('"Open Run…" on the safetensors run opens the panel', { timeout: 120_000 }, async () => {
    await runCommand(page, UI.openRun);
    await pickFolder(page, env.hfRunDir);
    frame = await findFrame(page, byTestId(TESTID.panel));
    await noErrors();
  });

  scenario('the tree lists every checkpoint and every one is scored', { timeout: SCORING_MS + 30_000 }, async () => {
    const listed = await waitUntil(
      'the tree to list every checkpoint',
      async () => {
        const s = (await treeItems(page, UI.treeTitle)).map(stepOf);
        return s.length === STEPS.length ? s : undefined;
      },
      { guard: noErrors },
    );
    assert.deepEqual(listed, STEPS);
    await waitAllScored(page, frame, STEPS.length);
    await screenshot(page, 'hf-01-scored');
  });

  scenario('the verdict names the step the CLI suggests for the same run', { timeout: SCORING_MS }, async () => {
    const out = execFileSync(process.execPath, [env.cli, 'report', '--json', env.cliHfRunDir], { encoding: 'utf8', timeout: SCORING_MS });
    const expected = (JSON.parse(out) as { suggested: { step: number } }).suggested.step;
    assert.equal(Number(await frame.locator(byTestId(TESTID.verdict)).getAttribute('data-suggested-step')), expected);
  });

  scenario('inspecting a checkpoint shows how it is stored', { timeout: 60_000 }, async () => {
    await treePane(page, UI.treeTitle)
      .locator('.monaco-list-row', { hasText: UI.treeLabel(200) })
      .first()
      .click();
    const model = frame.locator(byTestId(TESTID.inspectModel));
    await waitUntil(
      'the inspect view of step 200',
      async () => (await model.count()) > 0 && (await model.textContent()) === 'Model: safetensors llama',
      { timeoutMs: 30_000, guard: noErrors },
    );
    await screenshot(page, 'hf-02-inspect');
  });
});
