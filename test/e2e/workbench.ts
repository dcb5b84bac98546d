// Driving VS Code's own UI in the page: the command palette and quick picks, context menus, side-bar
// views, the colour theme, notifications and the status bar.
import type { Locator, Page } from 'playwright-core';
import { byTestId, TESTID } from './testids';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const quickInput = (page: Page): Locator => page.locator('.quick-input-widget');
export const quickInputBox = (page: Page): Locator => page.locator('.quick-input-widget .quick-input-box input');

/**
 * Runs a command by its palette title. The palette snapshots the command list when it opens, and for a
 * few seconds after load the extension host has not registered contributed commands: retry until the
 * row shows.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await page.keyboard.press('F1');
    try {
      await quickInputBox(page).waitFor({ state: 'visible', timeout: 5000 });
      // The palette can close again between the wait and the fill (right after a save dialog was
      // answered, say): press F1 again rather than wait out fill's 30 s for a hidden box.
      await quickInputBox(page).fill('>' + title, { timeout: 5000 });
    } catch {
      continue;
    }
    // The row whose label starts with the title; Enter would run the top row, which may be another match
    // ("Preferences: Browse Color Themes…" above "Preferences: Color Theme").
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}`) }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`command not found in the palette within ${timeoutMs} ms: ${title}`);
}

/** Right-clicks `target` and picks `item`; retried like runCommand, since contributed menu entries
 *  appear only once the extension host has read the extensions. */
export async function contextMenu(page: Page, target: Locator, item: RegExp, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await target.click({ button: 'right' });
    const entry = page.locator('.context-view .action-label', { hasText: item }).first();
    try {
      await entry.waitFor({ state: 'visible', timeout: 2000 });
      await entry.hover();
      // A click is sometimes swallowed by the menu's guard against the opening right-click's mouseup;
      // the hovered entry is focused, so Enter runs it.
      await page.keyboard.press('Enter');
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`context menu entry ${item} not found within ${timeoutMs} ms`);
}

/** Picks the row of the open quick pick whose label starts with `label`. */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 10_000): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}`) }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** A view pane in the side bar, found by its title. */
export const treePane = (page: Page, viewTitle: string): Locator =>
  page.locator('.pane', { has: page.locator('.pane-header', { hasText: viewTitle }) });

/** Labels of the rows of a tree view in the side bar, found by the view's title. */
export async function treeItems(page: Page, viewTitle: string): Promise<string[]> {
  const pane = treePane(page, viewTitle);
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click({ timeout: 5000 });
  // Lists are virtualised: only rows in view exist in the DOM. Give the view the side bar's height.
  // Re-query after each click: collapsing one header shifts the positions of the others.
  const others = page
    .locator('.sidebar .pane-header[aria-expanded="true"]:visible')
    .filter({ hasNotText: new RegExp(escapeRegExp(viewTitle), 'i') });
  for (let i = 0; i < 10 && (await others.count()); i++) await others.first().click({ timeout: 5000 });
  return await pane.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
}

/** Switches the colour theme the way a user does: Preferences: Color Theme, pick, Enter. */
export async function setColorTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  // The palette closes and the theme picker opens in the same widget: wait for the picker's own rows
  // (every theme list has a "Modern" pair) before typing, or the text lands in the palette.
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: /Modern/ })
    .first()
    .waitFor({ timeout: 10_000 });
  await quickInputBox(page).fill(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * The status bar entry an extension contributed with createStatusBarItem(id): the workbench gives its
 * element the id `<publisher>.<name>.<id>`.
 */
export const statusBarItem = (page: Page, id: string): Locator => page.locator(`.part.statusbar .statusbar-item[id$=".${id}"]`);

/** Fails when any webview shows our error banner or the workbench shows an error notification. */
export async function assertNoErrors(page: Page): Promise<void> {
  const problems: string[] = [];
  for (const f of page.frames()) {
    try {
      for (const el of await f.$$(byTestId(TESTID.errorBanner))) {
        if (await el.isVisible()) problems.push(`webview error banner: ${(await el.textContent())?.trim()}`);
      }
    } catch {
      /* detached frame */
    }
  }
  const toasts = page.locator('.notifications-toasts .notification-list-item:has(.codicon-error) .notification-list-item-message');
  for (const text of await toasts.allTextContents()) problems.push(`error notification: ${text.trim()}`);
  // A command that throws when run from the palette is reported in a modal dialog, not a toast.
  for (const box of await page.locator('.monaco-dialog-box').all()) {
    if (await box.isVisible()) problems.push(`dialog: ${(await box.innerText()).replace(/\s+/g, ' ').trim()}`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Messages of the notifications currently shown (any severity). */
export async function notifications(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((t) => t.trim());
}
