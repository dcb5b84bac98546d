// "Open Run…" from the Explorer's context menu on a folder: the command receives the folder's URI
// and must not ask for a folder again.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoErrors, byTestId, e2eEnv, findFrame, launch, openWorkbench, screenshot } from './lib';
import { listCheckpointDirs } from './run-files';
import { TESTID } from './testids';

const env = e2eEnv();
const skip = !env.runDir ? 'waiting for the demo generator (`checkpoint-coverage demo <dir>`)'
  : 'waiting for the explorer/context menu entry and the panel';

describe('Open Run… from the Explorer context menu', { skip }, () => {
  test('opens the panel on the clicked folder without a folder picker', { timeout: 120_000 }, async () => {
    const b = await launch();
    try {
      await openWorkbench(b.page, env);
      await b.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'demo-run' }).first().click({ button: 'right' });
      await b.page.locator('.context-view .action-label', { hasText: /Open Run/ }).first().click();
      const frame = await findFrame(b.page, byTestId(TESTID.panel));
      assert.equal(await b.page.locator('.quick-input-widget .quick-input-box input').isVisible(), false, 'no folder picker');
      const total = await frame.locator(byTestId(TESTID.progress)).getAttribute('data-total');
      assert.equal(Number(total), listCheckpointDirs(env.runDir).length);
      await assertNoErrors(b.page);
      await screenshot(b.page, 'explorer-menu');
    } finally {
      await b.close();
    }
  });
});
