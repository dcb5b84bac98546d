// Hostile eval text in the inspect view of a real VS Code: sample ids, prompt text and token texts
// carrying <script>, <img onerror>, javascript: and <a href> markup and bidi overrides must show as
// literal text, create no element, run nothing and fetch nothing. The run is the demo (written by the
// CLI into this test's workspace) plus a tokenizer.json whose tokens are those strings and eval lines
// that make them the worst-covered samples. Own browser, like explorer-menu.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { e2eEnv } from './env';
import { launchWorkbench, type Browser } from './browser';
import { pickFolder } from './dialogs';
import { findFrame, waitAllScored } from './panel';
import { recordRequests, screenshot, type RecordedRequest } from './recorders';
import { story, waitUntil } from './story';
import { assertNoErrors, runCommand, treeItems, treePane } from './workbench';
import { listCheckpointDirs } from './run-files';
import { byTestId, TESTID, UI } from './testids';
import { bpeTokenizerJson } from '../support/tokenizer';

const env = e2eEnv();

const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '<img src=x onerror="window.__pwned=2">';
const JS_LINK = 'javascript:window.__pwned=3';
const ANCHOR = '<a href="https://example.invalid/x">';
const RLO = '\u202E'; // right-to-left override
const LRI = '\u2066'; // left-to-right isolate
/** Each hostile string once as a token of the tokenizer (ids 0..4 of the demo's 24). */
const TOKENS = [SCRIPT, IMG, JS_LINK, `${ANCHOR}x</a>`, `${RLO}gnp.exe${LRI}txt`];
/** Each hostile string once as a sample id. */
const IDS = [SCRIPT, IMG, JS_LINK, `${ANCHOR}x</a>`, `id-${RLO}fdp.exe${LRI}`];

/**
 * The demo run with the hostile additions. ref_logprob 0 (the most a reference can give) with long
 * responses of improbable tokens makes log-ratio L = r − s = −s far above any demo sample's, so the
 * hostile lines are the worst-covered samples of every checkpoint. Returns their 1-based lines.
 */
function writeHostileRun(dir: string): number[] {
  rmSync(dir, { recursive: true, force: true });
  execFileSync(process.execPath, [env.cli, 'demo', dir, '--samples', '200'], { encoding: 'utf8', timeout: 120_000, stdio: 'pipe' });
  // The extension's worker scores it, not the CLI's store.
  rmSync(join(dir, '.coverage'), { recursive: true, force: true });
  const vocab: Record<string, number> = {};
  for (let i = 0; i < 24; i++) vocab[i < TOKENS.length ? TOKENS[i] : i === 23 ? '<unk>' : `t${i}`] = i;
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(bpeTokenizerJson({ vocab })));
  const evalFile = join(dir, 'eval.jsonl');
  const before = readFileSync(evalFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '').length;
  const hostileResponse = Array.from({ length: 15 }, (_, k) => k % TOKENS.length);
  const lines = IDS.map((id, k) => JSON.stringify({ id, prompt_ids: [k], response_ids: hostileResponse, ref_logprob: 0 }));
  // Text form: the prompt is shown as written; every character is unknown to the tokenizer (id 23).
  lines.push(
    JSON.stringify({ id: 'text-line', prompt: `${ANCHOR}click</a> ${IMG} ${RLO}${LRI}`, response: 'z'.repeat(15), ref_logprob: 0 }),
  );
  appendFileSync(evalFile, lines.map((l) => l + '\n').join(''));
  return lines.map((_, k) => before + k + 1);
}

interface PwnedGlobals {
  __pwned?: unknown;
}
interface DomGlobals {
  document: { querySelector(sel: string): { querySelectorAll(sel: string): ArrayLike<unknown> } | null };
}

/** Where a request went: 127.0.0.1, a local scheme, or a virtual URL VS Code's service worker answered. */
function leftTheMachine(r: RecordedRequest): boolean {
  const u = new URL(r.url);
  if (['data:', 'blob:', 'about:', 'vscode-webview:', 'vscode-resource:', 'vscode-file:'].includes(u.protocol)) return false;
  if (u.hostname === '127.0.0.1') return false;
  return !r.fromServiceWorker;
}

describe('hostile eval text in the inspect view', () => {
  let b: Browser;
  let page: Page;
  let frame: Frame;
  let runDir = '';
  let hostileLines: number[] = [];
  let steps: number[] = [];
  let net: ReturnType<typeof recordRequests>;
  const noErrors = (): Promise<void> => assertNoErrors(page);
  const scenario = story('security-', () => page);

  before(async () => {
    runDir = join(env.workspace, 'hostile-run');
    hostileLines = writeHostileRun(runDir);
    steps = listCheckpointDirs(runDir).map((c) => c.step);
    // From before the first page load: everything the workbench and the webview ask for.
    b = await launchWorkbench(env, (fresh) => {
      net = recordRequests(fresh.context);
    });
    page = b.page;
  });
  after(() => b?.close('zz-security-last'));

  scenario('the hostile run opens from the command palette and every checkpoint is scored', { timeout: 180_000 }, async () => {
    await runCommand(page, UI.openRun);
    await pickFolder(page, runDir);
    frame = await findFrame(page, byTestId(TESTID.panel));
    await waitAllScored(page, frame, steps.length);
  });

  scenario('the inspect view lists the hostile samples as the worst covered', { timeout: 60_000 }, async () => {
    const target = steps[steps.length - 1];
    await treeItems(page, UI.treeTitle);
    await treePane(page, UI.treeTitle)
      .locator('.monaco-list-row', { hasText: UI.treeLabel(target) })
      .first()
      .click();
    const worstLines = await waitUntil(
      `the worst samples of step ${target}`,
      async () => {
        const lines = await frame
          .locator(byTestId(TESTID.worstSample))
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-line'))));
        return lines.length > 0 ? lines : undefined;
      },
      { timeoutMs: 30_000, guard: noErrors },
    );
    assert.deepEqual(
      [...worstLines.slice(0, hostileLines.length)].sort((x, y) => x - y),
      hostileLines,
      `the hostile lines ${hostileLines.join(', ')} should lead the worst-covered list, got ${worstLines.join(', ')}`,
    );
    await assertNoErrors(page);
  });

  scenario('hostile strings are literal text and bidi controls are shown visibly', { timeout: 30_000 }, async () => {
    const text = (await frame.locator(byTestId(TESTID.inspectWorst)).textContent()) ?? '';
    for (const s of [SCRIPT, IMG, JS_LINK, ANCHOR]) assert.ok(text.includes(s), `the worst samples' text shows ${s} literally`);
    for (const id of IDS.slice(0, 4)) assert.ok(text.includes(`id ${id}`), `the sample id ${id} is shown as text`);
    assert.ok(text.includes('⟨U+202E⟩') && text.includes('⟨U+2066⟩'), 'bidi controls are shown as ⟨U+…⟩');
    assert.ok(!text.includes(RLO) && !text.includes(LRI), 'no raw bidi control reaches the page');
    const prompts = await frame.locator(`${byTestId(TESTID.inspectWorst)} .prompt`).allTextContents();
    assert.ok(
      prompts.some((p) => p.includes(`${ANCHOR}click</a>`) && p.includes(IMG)),
      "the text line's prompt is shown as written",
    );
    await frame.locator(byTestId(TESTID.inspectWorst)).scrollIntoViewIfNeeded();
    await screenshot(page.locator('iframe.webview.ready').first(), 'security-worst');
  });

  scenario('no element was made from the data and nothing ran', { timeout: 30_000 }, async () => {
    const made = await frame.evaluate((sel) => {
      const root = (globalThis as unknown as DomGlobals).document.querySelector(sel);
      if (!root) throw new Error(`no ${sel}`);
      return root.querySelectorAll(
        'script, img, a, iframe, object, embed, svg, link, meta, style, [onerror], [onload], [onclick], [href], [src]',
      ).length;
    }, byTestId(TESTID.inspect));
    assert.equal(made, 0, 'the inspect view holds no script, img, a, iframe or event-handler element');
    // The text that reads like a link is not one: clicking it navigates nowhere.
    const url = frame.url();
    await frame
      .locator(`${byTestId(TESTID.inspectWorst)} .tok`, { hasText: ANCHOR })
      .first()
      .click();
    await page.waitForTimeout(1000);
    assert.equal(frame.url(), url, 'clicking the link-like text does not navigate');
    for (const f of page.frames()) {
      // Only a frame gone meanwhile may go unread; any other failure would pass the check unread.
      const pwned = await f
        .evaluate(() => (globalThis as unknown as PwnedGlobals).__pwned)
        .catch((e: unknown) => {
          if (f.isDetached()) return undefined;
          throw e;
        });
      assert.equal(pwned, undefined, `window.__pwned is set in frame ${f.url()}`);
    }
    assert.equal(await page.evaluate(() => (globalThis as unknown as PwnedGlobals).__pwned), undefined, 'top page');
    await assertNoErrors(page);
  });

  scenario('no request left 127.0.0.1', { timeout: 30_000 }, async (t) => {
    const all = await net.stop();
    const origins = new Map<string, number>();
    for (const r of all) {
      const u = new URL(r.url);
      const key = `${u.protocol}//${u.host}${r.fromServiceWorker ? ' (service worker)' : ''}`;
      origins.set(key, (origins.get(key) ?? 0) + 1);
    }
    t.diagnostic(`${all.length} requests: ${[...origins].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    assert.ok(all.length > 0, 'requests were recorded');
    const out = all.filter(leftTheMachine);
    assert.deepEqual(
      out.map((r) => `${r.url} (from ${r.frameUrl || 'a worker'})`),
      [],
      'requests that left 127.0.0.1',
    );
    assert.ok(!all.some((r) => r.url.includes('example.invalid')), 'the hostile link was never fetched');
  });
});
