// How the scenarios run: a story whose scenarios build on each other, and waiting on a condition.
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from './recorders';

/**
 * A story's scenarios: each builds on the previous ones, so after a failure the rest fail at once
 * instead of timing out, and the failing one saves the workbench as `<prefix>fail-<n>.png`.
 */
export function story(
  prefix: string,
  page: () => Page | undefined,
): (name: string, options: { skip?: string | false; timeout: number }, body: (t: TestContext) => Promise<void>) => void {
  let failures = 0;
  return (name, options, body) => {
    test(name, options, async (t) => {
      if (failures) throw new Error('not run: an earlier scenario of this story failed');
      try {
        await body(t);
      } catch (e) {
        const p = page();
        if (p) await saveScreenshot(p, `${prefix}fail-${++failures}`);
        else failures++;
        throw e;
      }
    });
  };
}

/**
 * Polls `check` until it returns a value other than undefined/false; errors it throws count as "not
 * yet" (frames come and go). `guard` runs on every round and its errors end the wait at once: pass
 * `() => assertNoErrors(page)` so an error dialog fails fast instead of timing out.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, everyMs = 250, guard }: { timeoutMs?: number; everyMs?: number; guard?: () => Promise<void> } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (guard) await guard();
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
