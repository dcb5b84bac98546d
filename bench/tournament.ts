// Tournament speed: full build for 500 checkpoints × 10,000 samples (target < 10 s on the
// 2-core dev machine) and one incremental add (target < 0.5 s); the same build with the plain
// JS pair counter, for the kernel's ratio; and the comparison across runs (buildAcross) for
// 5 runs × 200 checkpoints × 10,000 samples (issue 15: target < 10 s). Prints figures; not a test.
// Run: node --import tsx bench/tournament.ts [K] [n]
import { CoverageTournament, type TournamentEntry } from '../src/core/tournament';
import { seededRandom as rng } from '../src/core/demo/chain';
import { jsPairCounts, pairCounter } from '../src/core/pairKernel';
import { buildAcross, buildReportWithReference } from '../src/core/report';

/** Checkpoints that drift like a training run: a shared per-sample base plus a per-checkpoint walk. */
function entries(K: number, n: number, seed = 7, prefix = ''): TournamentEntry[] {
  const r = rng(seed);
  const base = Float64Array.from({ length: n }, () => -20 - 20 * r());
  const tokens = Uint32Array.from({ length: n }, () => 16);
  const out: TournamentEntry[] = [];
  let cur = Float64Array.from(base);
  for (let k = 0; k < K; k++) {
    cur = cur.map((v) => v + (r() - 0.5) * 0.8);
    out.push({
      id: `${prefix}step-${(k + 1) * 100}/model.onnx`,
      step: (k + 1) * 100,
      seqLogprob: Float64Array.from(cur),
      tokenCounts: tokens,
    });
  }
  return out;
}

const K = Number(process.argv[2] ?? 500);
const n = Number(process.argv[3] ?? 10_000);
const all = entries(K + 1, n);

let t0 = performance.now();
const t = CoverageTournament.build(n, all.slice(0, K));
const build = performance.now() - t0;
t0 = performance.now();
const res = t.result();
const result = performance.now() - t0;
t0 = performance.now();
t.add(all[K]);
const add = performance.now() - t0;
t0 = performance.now();
t.result();
const result2 = performance.now() - t0;
t0 = performance.now();
t.remove(all[0].id);
const remove = performance.now() - t0;

console.log(`tournament K=${K} n=${n} (${((((K * (K - 1)) / 2) * n) / 1e9).toFixed(2)}e9 pair-samples)`);
console.log(`  full build      ${(build / 1000).toFixed(2)} s   (target < 10 s)`);
console.log(`  result()        ${result.toFixed(1)} ms  suggested ${res.suggested}`);
console.log(`  add one         ${add.toFixed(1)} ms  (target < 500 ms) + result() ${result2.toFixed(1)} ms`);
console.log(`  remove one      ${remove.toFixed(1)} ms`);

// The same full build counted by the plain loop (the kernel's fallback), on the same entries.
t0 = performance.now();
const counts = new Int32Array(K * K);
jsPairCounts(
  all.slice(0, K).map((e) => e.seqLogprob),
  n,
  Math.log(16),
  counts,
  K,
);
const plain = performance.now() - t0;
console.log(
  `  pair counts     ${pairCounter() === jsPairCounts ? 'plain JS (no WebAssembly SIMD here)' : 'WebAssembly SIMD'}; the plain JS loop takes ${(plain / 1000).toFixed(2)} s (${(plain / build).toFixed(1)}× the build)`,
);

// Across runs: 5 runs of 200 checkpoints, each a walk of its own from the shared base (a sweep),
// reported on their own first (not timed), then compared in one tournament of 1,000.
const RUNS = 5;
const PER_RUN = 200;
const runs = Array.from({ length: RUNS }, (_, i) => {
  const cps = entries(PER_RUN, n, 100 + i).map((e) => ({
    step: e.step,
    path: e.id,
    scores: {
      seqLogprob: e.seqLogprob,
      tokenCounts: Uint32Array.from(e.tokenCounts),
      tokenOffsets: new Uint32Array(n + 1),
      tokenLogprobs: new Float32Array(0),
    },
  }));
  const { report, r } = buildReportWithReference({ checkpoints: cps, reference: 'tournament', nGrid: [2, 16], selectionN: 16 });
  return { run: `lr-${i + 1}`, evalSetHash: 'same', report, checkpoints: cps, r };
});
t0 = performance.now();
const across = buildAcross(runs);
const acrossMs = performance.now() - t0;
console.log(
  `across runs ${RUNS} × ${PER_RUN} checkpoints × n=${n} (${((((RUNS * PER_RUN * (RUNS * PER_RUN - 1)) / 2) * n) / 1e9).toFixed(2)}e9 pair-samples)`,
);
console.log(
  `  buildAcross     ${(acrossMs / 1000).toFixed(2)} s   (target < 10 s)  suggested ${across.across?.suggested?.run} step ${across.across?.suggested?.step}`,
);
