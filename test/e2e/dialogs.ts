// VS Code's "simple" file dialogs as code-server shows them: a quick input whose value is a path.
import { existsSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { screenshot } from './recorders';
import { waitUntil } from './story';
import { assertNoErrors, quickInput, quickInputBox } from './workbench';

/**
 * Types `path` into the open file dialog until the dialog leaves it alone, then presses the dialog's
 * accept button. The dialog writes its start folder into the box asynchronously, possibly after we
 * typed: type, then require the value to stay ours for a moment, else type again.
 */
async function answerPathDialog(page: Page, path: string, timeoutMs: number, shot?: string, onAccept?: () => void): Promise<void> {
  const box = quickInputBox(page);
  const end = Date.now() + timeoutMs;
  for (let stable = 0; stable < 4;) {
    if (Date.now() > end) throw new Error(`file dialog did not settle on ${path}: it shows ${await box.inputValue()}`);
    if ((await box.inputValue()) === path) stable++;
    else {
      stable = 0;
      await box.fill(path);
    }
    await page.waitForTimeout(200);
  }
  if (shot) await screenshot(page, shot);
  // The accept button carries the command's label ("OK" or "Save" when it has none); the other header
  // action ("Show Local") is hidden in code-server.
  const accept = page.locator('.quick-input-widget .quick-input-action .monaco-button:visible').filter({ hasText: /\S/ }).first();
  await accept.waitFor({ state: 'visible', timeout: timeoutMs });
  onAccept?.();
  await accept.click();
}

/**
 * Answers a folder picker (`shot`: a screenshot of it, answered, before accepting; `onAccept`: called
 * just before the accept click, so a bench times the opening, not the typing). In code-server, showOpenDialog is VS Code's "simple" dialog: a quick input
 * whose value is a path. Typing the folder's path with a trailing slash lists that folder; accepting
 * with no item chosen returns the typed folder.
 */
export async function pickFolder(page: Page, folder: string, timeoutMs = 30_000, shot?: string, onAccept?: () => void): Promise<void> {
  await quickInputBox(page).waitFor({ state: 'visible', timeout: timeoutMs });
  await answerPathDialog(page, folder.endsWith('/') ? folder : folder + '/', timeoutMs, shot, onAccept);
  await quickInput(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/**
 * Answers a save dialog (the same simple dialog, showSaveDialog flavour) with a full file path, and
 * returns once the file exists: the caller's writer ran. Waiting for the file rather than for the
 * widget to hide matters when the next dialog reuses the widget at once (one per chart). Returns the
 * path the dialog proposed; `shot` names a screenshot of the answered dialog. `file` must not exist yet (an overwrite prompt would follow) and its folder must.
 */
export async function saveAs(
  page: Page,
  file: string,
  { timeoutMs = 30_000, shot }: { timeoutMs?: number; shot?: string } = {},
): Promise<string> {
  if (existsSync(file)) throw new Error(`saveAs: ${file} exists already; the dialog would ask to overwrite it`);
  const box = quickInputBox(page);
  // The dialog is up once its box holds a path (the command palette's box holds ">…"). It writes the
  // folder first and the proposed file name after it: the proposal is the value once it holds still.
  let last = '',
    same = 0;
  const proposed = await waitUntil(
    'a save dialog',
    async () => {
      const v = (await box.isVisible()) ? await box.inputValue() : '';
      same = v === last ? same + 1 : 0;
      last = v;
      return v.startsWith('/') && same >= 3 ? v : undefined;
    },
    { timeoutMs, everyMs: 100 },
  );
  await answerPathDialog(page, file, timeoutMs, shot);
  await waitUntil(`${file} to be written`, async () => existsSync(file) && statSync(file).size > 0, {
    timeoutMs,
    guard: () => assertNoErrors(page),
  });
  return proposed;
}
