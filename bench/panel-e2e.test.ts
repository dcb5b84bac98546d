// The extension in a real VS Code against the CLI on the same work: a run of many tiny checkpoints
// (bigram models) scored once by `checkpoint-coverage score` and once in the panel, from opening
// the run to the status bar's "N scored". Runs under the end-to-end harness, not in the suite:
//   node scripts/e2e.mjs bench/panel-e2e.test.ts        (BENCH_CHECKPOINTS, BENCH_SAMPLES to vary)
// Prints both times and their ratio (target: the panel within 1.5× of the CLI). Not a test of speed:
// it fails only when the work does not complete.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seededRandom } from '../src/core/demo/chain';
import { bigramModel, writeModel } from '../src/core/onnx/models';
import { launchWorkbench, type Browser } from '../test/e2e/browser';
import { pickFolder } from '../test/e2e/dialogs';
import { e2eEnv } from '../test/e2e/env';
import { waitUntil } from '../test/e2e/story';
import { UI } from '../test/e2e/testids';
import { assertNoErrors, runCommand, statusBarItem } from '../test/e2e/workbench';

const env = e2eEnv();
const K = Number(process.env.BENCH_CHECKPOINTS ?? 400);
const N = Number(process.env.BENCH_SAMPLES ?? 5000);
const VOCAB = 16;

function makeRun(root: string): void {
  const r = seededRandom(11);
  mkdirSync(root, { recursive: true });
  for (let k = 1; k <= K; k++) {
    const folder = join(root, `step-${k * 100}`);
    mkdirSync(folder);
    writeModel(folder, 'model.onnx', bigramModel({ table: Float32Array.from({ length: VOCAB * VOCAB }, () => r() * 4), vocab: VOCAB }));
  }
  const ids = (len: number) => Array.from({ length: len }, () => Math.floor(r() * VOCAB));
  const lines = Array.from({ length: N }, (_, i) => JSON.stringify({ id: `s${i}`, prompt_ids: ids(1 + Math.floor(r() * 6)), response_ids: ids(1 + Math.floor(r() * 9)) }));
  writeFileSync(join(root, 'eval.jsonl'), lines.join('\n') + '\n');
}

describe(`the panel against the CLI on ${K} tiny checkpoints × ${N} samples`, () => {
  let b: Browser;
  const run = join(env.workspace, 'bench-run');
  const cliRun = join(env.workspace, '..', 'bench-cli-run');
  before(async () => {
    makeRun(run);
    cpSync(run, cliRun, { recursive: true });
    // Files changed in the last 2 s count as still being written.
    await new Promise((r) => setTimeout(r, 2500));
    b = await launchWorkbench(env);
  });
  after(async () => {
    await b?.close('bench-panel-last');
    rmSync(cliRun, { recursive: true, force: true });
  });

  test('both score every checkpoint; the times are printed', { timeout: 900_000 }, async () => {
    let t0 = performance.now();
    execFileSync(process.execPath, [env.cli, 'score', cliRun, '--provider', 'cpu'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const cli = (performance.now() - t0) / 1000;

    const page = b.page;
    await runCommand(page, UI.openRun);
    t0 = performance.now();
    await pickFolder(page, run);
    if (process.env.BENCH_CLOSE_PANEL) {
      // Diagnosis: the same work with the panel closed (tree and status bar only).
      await page.locator('iframe.webview.ready').first().waitFor({ timeout: 30_000 });
      await runCommand(page, 'View: Close All Editors');
    }
    const item = statusBarItem(page, UI.statusBarId);
    await waitUntil(`the status bar to say ${K} scored`, async () => new RegExp(` · ${K} scored$`).test(((await item.textContent()) ?? '').trim()),
      { timeoutMs: 800_000, everyMs: 100, guard: () => assertNoErrors(page) });
    const panel = (performance.now() - t0) / 1000;
    assert.ok(panel > 0 && cli > 0);
    console.log(`panel vs CLI: ${K} bigram checkpoints (vocab ${VOCAB}) × ${N} samples, CPU, empty store each`);
    console.log(`  checkpoint-coverage score   ${cli.toFixed(1)} s  (${((cli * 1000) / K).toFixed(0)} ms per checkpoint)`);
    console.log(`  panel (open → "${K} scored") ${panel.toFixed(1)} s  (${((panel * 1000) / K).toFixed(0)} ms per checkpoint)`);
    console.log(`  ratio                       ${(panel / cli).toFixed(2)}×  (target ≤ 1.5×)`);
  });
});
