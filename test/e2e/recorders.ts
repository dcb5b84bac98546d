// What a story leaves behind or listens to: screenshots (checked for blankness), the requests the
// browser makes, and the texts the status bar entry shows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page, Request } from 'playwright-core';
import { e2eEnv } from './env';
import { decodePng, dominantColourShare } from './png';

/**
 * A record of the page for whoever reads a failure, not a check: when the page is gone (a crash, a
 * closed context) the test's own error says why, so this one is only logged, never thrown over it.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const file = join(e2eEnv().shotsDir, `${name}.png`);
  try {
    await page.screenshot({ path: file });
  } catch (e) {
    console.log(`[e2e] could not save ${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/**
 * Saves a screenshot into the shots folder and fails when it is blank (one colour over 99.5 % of the
 * pixels), which is what a webview that failed to render looks like.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  const dir = e2eEnv().shotsDir;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  const png = await target.screenshot();
  writeFileSync(file, png);
  const share = dominantColourShare(decodePng(png));
  if (share > 0.995) throw new Error(`screenshot ${file} is blank (${(share * 100).toFixed(2)} % one colour)`);
  return file;
}

export interface RecordedRequest {
  url: string;
  frameUrl: string;
  fromServiceWorker: boolean;
}

/**
 * Records every request the browser context makes from now on (pages, frames, workers). A webview's
 * resources have virtual https URLs that VS Code's service worker answers from the extension host;
 * `fromServiceWorker` tells those apart from requests that reached the network. `stop` detaches the
 * listeners and resolves once every recorded request has its answer (or failure) read.
 */
export function recordRequests(context: BrowserContext): { requests: RecordedRequest[]; stop(): Promise<RecordedRequest[]> } {
  const requests: RecordedRequest[] = [];
  const answers: Promise<void>[] = [];
  const onRequest = (r: Request): void => {
    let frameUrl = '';
    try {
      frameUrl = r.frame().url();
    } catch {
      /* a worker's request has no frame */
    }
    const rec: RecordedRequest = { url: r.url(), frameUrl, fromServiceWorker: false };
    requests.push(rec);
    answers.push(
      r.response().then(
        (res) => {
          rec.fromServiceWorker = res?.fromServiceWorker() ?? false;
        },
        () => undefined,
      ),
    );
  };
  context.on('request', onRequest);
  return {
    requests,
    stop: async () => {
      context.off('request', onRequest);
      // A request still open (a long poll) never answers: give each a moment, then read what is known.
      await Promise.race([Promise.all(answers), new Promise((r) => setTimeout(r, 5000))]);
      return requests;
    },
  };
}

// Page-side view of the few DOM calls the status bar recorder makes (no DOM lib in this tsconfig).
interface StatusElement {
  id: string;
  textContent: string | null;
}
interface StatusGlobals {
  document: { querySelector(sel: string): StatusElement | null };
  MutationObserver: new (cb: () => void) => { observe(target: object, o: object): void; disconnect(): void };
  __e2eStatusTexts?: string[];
  __e2eStatusRead?: () => void;
  __e2eStatusObserver?: { disconnect(): void };
}

/**
 * Records every text the status bar entry `id` shows from now on (a MutationObserver on the status
 * bar, so short-lived texts between two polls are kept too). `texts` returns them in order, repeats
 * collapsed; `stop` ends the recording.
 */
export async function recordStatusBarTexts(page: Page, id: string): Promise<{ texts(): Promise<string[]>; stop(): Promise<string[]> }> {
  await page.evaluate((sel) => {
    const g = globalThis as unknown as StatusGlobals;
    const seen: string[] = [];
    // A property, not a const: tsx names const-bound functions with a `__name` helper the page lacks.
    g.__e2eStatusRead = () => {
      const t = (g.document.querySelector(sel)?.textContent ?? '').trim();
      if (t && seen[seen.length - 1] !== t) seen.push(t);
    };
    const bar = g.document.querySelector('.part.statusbar');
    if (!bar) throw new Error('no status bar in the workbench');
    g.__e2eStatusObserver?.disconnect();
    g.__e2eStatusTexts = seen;
    const observer = new g.MutationObserver(g.__e2eStatusRead);
    observer.observe(bar, { subtree: true, childList: true, characterData: true, attributes: true });
    g.__e2eStatusObserver = observer;
    g.__e2eStatusRead();
  }, `.part.statusbar .statusbar-item[id$=".${id}"]`);
  const texts = (): Promise<string[]> => page.evaluate(() => [...((globalThis as unknown as StatusGlobals).__e2eStatusTexts ?? [])]);
  return {
    texts,
    stop: async () => {
      const t = await texts();
      await page.evaluate(() => (globalThis as unknown as StatusGlobals).__e2eStatusObserver?.disconnect());
      return t;
    },
  };
}
