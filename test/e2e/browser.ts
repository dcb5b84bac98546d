// A headless chromium with code-server's workbench open: one per story.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { E2EEnv } from './env';
import { saveScreenshot } from './recorders';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves the page as `<lastShot>.png` (where the story ended, whatever happened), then closes. */
  close(lastShot?: string): Promise<void>;
}

/**
 * A fresh headless chromium with the workbench open on the workspace: one per story. `beforeOpen`
 * runs before the first page load (to record from the very start). When the workbench does not come
 * up the browser is closed and the error thrown, so no caller is left holding a half-made one.
 */
export async function launchWorkbench(env: E2EEnv, beforeOpen?: (b: Browser) => void): Promise<Browser> {
  // Playwright refuses --user-data-dir in args; a persistent context is how to get a fresh profile.
  const userDataDir = mkdtempSync(join(tmpdir(), 'chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: env.chromium,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const b: Browser = {
    context,
    page,
    close: async (lastShot) => {
      if (lastShot) await saveScreenshot(page, lastShot);
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  beforeOpen?.(b);
  try {
    await page.goto(`${env.baseUrl}/?folder=${encodeURIComponent(env.workspace)}`);
    await waitForWorkbench(page);
  } catch (e) {
    await b.close('zz-launch-failed');
    throw e;
  }
  return b;
}

/** The workbench is usable once the explorer lists the folder: the remote file system is up. */
async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
}
