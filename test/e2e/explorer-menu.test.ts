// "Open Run…" from the Explorer's context menu on a folder: the command receives the folder's URI
// and must not ask for a folder again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2eEnv } from './env';
import { launchWorkbench } from './browser';
import { findFrame } from './panel';
import { screenshot } from './recorders';
import { assertNoErrors, contextMenu } from './workbench';
import { listCheckpointDirs } from './run-files';
import { byTestId, TESTID } from './testids';

const env = e2eEnv();

describe('Open Run… from the Explorer context menu', () => {
  test('opens the panel on the clicked folder without a folder picker', { timeout: 120_000 }, async () => {
    const b = await launchWorkbench(env);
    try {
      const folder = b.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'demo-run' }).first();
      await contextMenu(b.page, folder, /^Open Run/);
      const frame = await findFrame(b.page, byTestId(TESTID.panel));
      assert.equal(await b.page.locator('.quick-input-widget .quick-input-box input').isVisible(), false, 'no folder picker');
      const expected = listCheckpointDirs(env.runDir).length;
      await frame
        .locator(byTestId(TESTID.scoreRow))
        .nth(expected - 1)
        .waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator(byTestId(TESTID.scoreRow)).count(), expected, 'one row per checkpoint');
      await assertNoErrors(b.page);
      await screenshot(b.page, 'explorer-menu');
    } finally {
      await b.close('zz-explorer-menu-last');
    }
  });
});
