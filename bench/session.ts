// The extension's scoring path against the CLI's on the same work: a run of many tiny
// checkpoints (bigram models) scored once by `checkpoint-coverage score` (the built CLI, a
// process of its own) and once by a RunSession over the real engine with the watchers the
// controller starts (run folder, store) and a listener that does per snapshot what the controller
// does (the panel's JSON, every tree row). bench/panel-e2e.test.ts measures the same in a real
// VS Code, under the end-to-end harness. Both score into an
// empty store with the same worker bundle. Prints both times and their ratio (target: the
// session within 1.5× of the CLI). Not a test.
// Run: node --import tsx bench/session.ts [checkpoints] [samples] [rounds]   (after `node scripts/build.mjs`)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTLE_MS } from '../src/core/layout';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import { createEngine } from '../src/host/engineAdapter';
import { RunSession } from '../src/host/runSession';
import { StoreWatcher } from '../src/host/storeWatcher';
import { RunWatcher } from '../src/host/watcher';
import type { RunSnapshot } from '../src/shared/protocol';
import { BIGRAM_VOCAB, writeBigramRun } from './lib/bigramRun';

const K = Number(process.argv[2] ?? 400);
const N = Number(process.argv[3] ?? 5000);
const ROUNDS = Number(process.argv[4] ?? 2);
const repo = join(__dirname, '..');
const dist = join(repo, 'dist');

function makeRun(): string {
  const root = mkdtempSync(join(tmpdir(), 'cc-bench-session-'));
  writeBigramRun(root, K, N);
  return root;
}

/** What the controller does with a snapshot: the panel's message is structured-cloned (≈ JSON), the tree builds a line per row. */
function consume(s: RunSnapshot): number {
  let size = JSON.stringify(s).length;
  for (const row of s.rows) size += `step ${row.step} ${row.state} ${row.cePerToken ?? ''} ${row.reason ?? ''}`.length;
  return size;
}

async function sessionSeconds(root: string): Promise<{ seconds: number; snapshots: number }> {
  const engine = createEngine({ isTrusted: () => true, log: () => {}, workerScript: join(dist, 'worker.js') });
  const log = { info() {}, warn() {}, error() {} };
  const session = new RunSession(root, {
    engine,
    settings: { ...DEFAULT_SETTINGS, executionProvider: 'cpu' },
    log,
    isTrusted: () => true,
    settleMs: 0,
  });
  let snapshots = 0;
  session.onDidChange((s) => {
    snapshots++;
    consume(s);
  });
  const t0 = performance.now();
  await session.open();
  const o = session.openedRun!;
  const watchers = [
    new RunWatcher(root, { poll: false, storeDir: o.storeDir, evalPaths: o.evalPaths }, (b) => void session.handleBatch(b)),
    await StoreWatcher.start(o.storePath, { poll: false }, (c) => void session.handleStoreChange(c)),
  ];
  await session.idle();
  const seconds = (performance.now() - t0) / 1000;
  const snap = session.snapshot();
  for (const w of watchers) w.dispose();
  session.dispose();
  if (snap.progress.done !== K) throw new Error(`the session scored ${snap.progress.done} of ${K}`);
  return { seconds, snapshots };
}

function cliSeconds(root: string): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [join(dist, 'cli.js'), 'score', root, '--provider', 'cpu'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const root = makeRun();
  // The layout scan takes files changed in the last 2 s for files still being written.
  await new Promise((r) => setTimeout(r, DEFAULT_SETTLE_MS + 100));
  try {
    // Interleaved rounds, each from an empty store; the fastest of each is the least disturbed
    // by whatever else the machine runs.
    let cli = Infinity;
    let ext = Infinity;
    let snapshots = 0;
    for (let round = 0; round < ROUNDS; round++) {
      rmSync(join(root, '.coverage'), { recursive: true, force: true });
      cli = Math.min(cli, cliSeconds(root));
      rmSync(join(root, '.coverage'), { recursive: true, force: true });
      const s = await sessionSeconds(root);
      ext = Math.min(ext, s.seconds);
      snapshots = s.snapshots;
    }
    console.log(
      `session vs CLI: ${K} bigram checkpoints (vocab ${BIGRAM_VOCAB}) × ${N} samples, CPU, empty store each time, fastest of ${ROUNDS} rounds`,
    );
    console.log(`  checkpoint-coverage score  ${cli.toFixed(1)} s  (${((cli * 1000) / K).toFixed(0)} ms per checkpoint)`);
    console.log(
      `  extension session          ${ext.toFixed(1)} s  (${((ext * 1000) / K).toFixed(0)} ms per checkpoint, ${snapshots} snapshots)`,
    );
    console.log(`  ratio                      ${(ext / cli).toFixed(2)}×  (target ≤ 1.5×)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
