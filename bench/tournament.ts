// Tournament speed: full build for 500 checkpoints × 10,000 samples (target < 10 s on the
// 2-core dev machine) and one incremental add (target < 0.5 s). Prints figures; not a test.
// Run: node --import tsx bench/tournament.ts [K] [n]
import { CoverageTournament, type TournamentEntry } from '../src/core/tournament';
import { seededRandom as rng } from '../src/core/demo/chain';

/** Checkpoints that drift like a training run: a shared per-sample base plus a per-checkpoint walk. */
function entries(K: number, n: number): TournamentEntry[] {
  const r = rng(7);
  const base = Float64Array.from({ length: n }, () => -20 - 20 * r());
  const tokens = Uint32Array.from({ length: n }, () => 16);
  const out: TournamentEntry[] = [];
  let cur = Float64Array.from(base);
  for (let k = 0; k < K; k++) {
    cur = cur.map((v) => v + (r() - 0.5) * 0.8);
    out.push({ id: `step-${(k + 1) * 100}/model.onnx`, step: (k + 1) * 100, seqLogprob: Float64Array.from(cur), tokenCounts: tokens });
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

console.log(`tournament K=${K} n=${n} (${((K * (K - 1)) / 2 * n / 1e9).toFixed(2)}e9 pair-samples)`);
console.log(`  full build      ${(build / 1000).toFixed(2)} s   (target < 10 s)`);
console.log(`  result()        ${result.toFixed(1)} ms  suggested ${res.suggested}`);
console.log(`  add one         ${add.toFixed(1)} ms  (target < 500 ms) + result() ${result2.toFixed(1)} ms`);
console.log(`  remove one      ${remove.toFixed(1)} ms`);
