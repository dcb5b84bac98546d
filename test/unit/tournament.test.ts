// The coverage tournament against a naive O(K²·n) implementation, its incremental updates,
// and known answer 7 of docs/metrics.md (π_D among the candidates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CoverageTournament, tournamentDev, type TournamentEntry } from '../../src/core/tournament';

/** The definition, spelled out: A over samples every checkpoint scored. */
function naive(entries: TournamentEntry[], n: number, N: number) {
  const keep = [...Array(n).keys()].filter((i) => entries.every((e) => !Number.isNaN(e.seqLogprob[i])));
  const A = entries.map((ej) =>
    entries.map((ek) => (ej === ek ? 0 : keep.filter((i) => ej.seqLogprob[i] - ek.seqLogprob[i] >= Math.log(N)).length)),
  );
  const ce = entries.map((e) => -keep.reduce((a, i) => a + e.seqLogprob[i], 0) / keep.reduce((a, i) => a + e.tokenCounts[i], 0));
  const score = entries.map((_, k) => Math.max(0, ...entries.map((_, j) => (j === k ? 0 : A[j][k]))));
  return { A, keep: keep.length, score, ce };
}

const valueArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: -40, max: 0 }).map((v) => v / 4) },
  { weight: 1, arbitrary: fc.constant(-Infinity) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);

const runArb = fc
  .record({ n: fc.integer({ min: 1, max: 40 }), K: fc.integer({ min: 1, max: 7 }), N: fc.constantFrom(2, 3, 16, Math.E) })
  .chain(({ n, K, N }) =>
    fc.record({
      n: fc.constant(n),
      N: fc.constant(N),
      rows: fc.array(fc.array(valueArb, { minLength: n, maxLength: n }), { minLength: K, maxLength: K }),
      steps: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: K, maxLength: K }),
    }),
  );

function toEntries(rows: number[][], steps: number[]): TournamentEntry[] {
  return rows.map((r, k) => ({
    id: `c${k}`,
    step: steps[k],
    seqLogprob: Float64Array.from(r),
    tokenCounts: Uint32Array.from(r, (_, i) => 1 + (i % 3)),
  }));
}

function assertMatches(t: CoverageTournament, entries: TournamentEntry[], n: number, N: number): void {
  const ref = naive(entries, n, N);
  assert.equal(t.samples, ref.keep);
  for (const [j, ej] of entries.entries())
    for (const [k, ek] of entries.entries()) assert.equal(t.count(ej.id, ek.id), ref.A[j][k], `A[${j},${k}]`);
  const res = t.result();
  if (entries.length === 0 || ref.keep === 0) {
    assert.equal(res.suggested, null);
    return;
  }
  for (const [k, s] of res.standings.entries()) {
    assert.equal(s.id, entries[k].id);
    assert.equal(s.score, ref.score[k] / ref.keep);
    // The rival on ties: the earlier step, then the smaller id, whatever the order of adding.
    const rivals = entries
      .filter((_, j) => j !== k && ref.A[j][k] === ref.score[k])
      .sort((a, b) => a.step - b.step || (a.id < b.id ? -1 : 1));
    assert.equal(s.rival, rivals[0]?.id ?? null, `rival of ${s.id}`);
  }
  // The argmin with its tie rule: lower CE (NaN last), then earlier step, then id.
  const order = entries
    .map((e, k) => ({ e, k }))
    .sort((a, b) => ref.score[a.k] - ref.score[b.k] || cmp(ref.ce[a.k], ref.ce[b.k]) || a.e.step - b.e.step || (a.e.id < b.e.id ? -1 : 1));
  assert.equal(res.suggested, order[0].e.id);
  const dev = tournamentDev(entries.length, ref.keep);
  assert.equal(res.dev, dev);
  const gap = entries.length < 2 ? Infinity : (ref.score[order[1].k] - ref.score[order[0].k]) / ref.keep;
  assert.equal(res.resolved, gap >= 2 * dev);
}

const cmp = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

test('full build equals the naive definition (random scores with −∞ and skipped samples)', () => {
  fc.assert(
    fc.property(runArb, ({ n, N, rows, steps }) => {
      const entries = toEntries(rows, steps);
      assertMatches(CoverageTournament.build(n, entries, N), entries, n, N);
    }),
    { numRuns: 300 },
  );
});

test('incremental add, remove and replace equal a fresh naive computation', () => {
  fc.assert(
    fc.property(runArb, fc.array(fc.nat(), { maxLength: 6 }), ({ n, N, rows, steps }, ops) => {
      const entries = toEntries(rows, steps);
      const t = new CoverageTournament(n, N);
      const inside: TournamentEntry[] = [];
      for (const e of entries) {
        t.add(e);
        inside.push(e);
        assertMatches(t, inside, n, N);
      }
      for (const op of ops) {
        if (inside.length === 0) break;
        const victim = inside[op % inside.length];
        if (op % 2 === 0) {
          assert.equal(t.remove(victim.id), true);
          inside.splice(inside.indexOf(victim), 1);
        } else {
          const fresh = { ...victim, seqLogprob: victim.seqLogprob.map((v, i) => (i === op % n ? Number.NaN : v - (op % 5))) };
          t.replace(fresh);
          inside.splice(inside.indexOf(victim), 1);
          inside.push(fresh);
        }
        assertMatches(t, inside, n, N);
      }
    }),
    { numRuns: 200 },
  );
});

test('sync (whole or a step at a time) to any later set of entries equals a fresh naive computation (kept, dropped, rescored, new)', () => {
  fc.assert(
    fc.property(runArb, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), ({ n, N, rows, steps }, picks) => {
      const entries = toEntries(rows, steps);
      const t = new CoverageTournament(n, N);
      let inside: TournamentEntry[] = [];
      for (const p of picks) {
        // Each round keeps, drops or rescores (a new array, as a replaced checkpoint gets) each entry by the pick's bits.
        inside = entries.flatMap((e, k) => {
          const bits = (p >> (2 * k)) & 3;
          if (bits === 0) return [];
          const had = inside.find((x) => x.id === e.id);
          if (bits === 3 && had) return [{ ...had, seqLogprob: had.seqLogprob.map((v) => v - 1) }];
          return [had ?? e];
        });
        if (p % 2 === 0) t.sync(inside);
        else {
          // A step at a time (as the extension does between other work): consistent at every pause.
          for (const _ of t.syncSteps(inside)) {
            const held = t.ids().map((id) => inside.find((e) => e.id === id)!);
            assert.ok(held.every(Boolean), 'only checkpoints it was given');
            assertMatches(t, held, n, N);
          }
        }
        // Standings follow the tournament's own order; the set must be exactly `inside`.
        assert.deepEqual([...t.ids()].sort(), inside.map((e) => e.id).sort());
        assertMatches(
          t,
          t.ids().map((id) => inside.find((e) => e.id === id)!),
          n,
          N,
        );
      }
    }),
    { numRuns: 200 },
  );
  assert.throws(
    () =>
      new CoverageTournament(2).sync([
        { id: 'a', step: 1, seqLogprob: new Float64Array(2), tokenCounts: new Uint32Array(2) },
        { id: 'a', step: 1, seqLogprob: new Float64Array(2), tokenCounts: new Uint32Array(2) },
      ]),
    /twice/,
  );
});

test('a single checkpoint scores 0, has no rival and is the resolved suggestion', () => {
  const t = new CoverageTournament(3);
  t.add({ id: 'a', step: 1, seqLogprob: Float64Array.from([-1, -2, -3]), tokenCounts: Uint32Array.from([1, 1, 1]) });
  const r = t.result();
  assert.deepEqual(
    r.standings.map((s) => [s.score, s.rival]),
    [[0, null]],
  );
  assert.equal(r.suggested, 'a');
  assert.equal(r.minCrossEntropy, 'a');
  assert.equal(r.differs, false);
  assert.equal(r.resolved, true);
  assert.equal(new CoverageTournament(3).result().suggested, null);
  assert.throws(() => new CoverageTournament(3, 1), /selectionN/);
  assert.throws(() => t.add({ id: 'a', step: 2, seqLogprob: new Float64Array(3), tokenCounts: new Uint32Array(3) }), /already/);
});

test('check 7: π_D among the candidates scores ≤ 1/N + dev and beats every candidate that under-covers it', () => {
  // A seeded discrete π_D over 300 outcomes and candidates that distort it, some losing its tail.
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const M = 300;
  const normalize = (w: number[]) => {
    const z = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / z);
  };
  const p = normalize(Array.from({ length: M }, (_, y) => Math.exp(-y / 40) * (0.5 + rand())));
  const candidates: { id: string; q: number[] }[] = [
    { id: 'pi_D', q: p },
    { id: 'sharp', q: normalize(p.map((v) => v ** 1.6)) },
    { id: 'flat', q: normalize(p.map((v) => v ** 0.5)) },
    { id: 'tail-cut', q: normalize(p.map((v, y) => (y > 60 ? v / 200 : v))) },
    { id: 'noisy', q: normalize(p.map((v) => v * Math.exp(2.5 * (rand() - 0.5)))) },
    { id: 'head-cut', q: normalize(p.map((v, y) => (y < 5 ? v / 30 : v))) },
  ];
  const n = 4000;
  const cdf: number[] = [];
  p.reduce((a, v, y) => (cdf[y] = a + v), 0);
  const ys = Array.from({ length: n }, () => {
    const u = rand();
    const y = cdf.findIndex((c) => c >= u);
    return y < 0 ? M - 1 : y;
  });
  const N = 16;
  const entries = candidates.map((c, k) => ({
    id: c.id,
    step: k,
    seqLogprob: Float64Array.from(ys, (y) => Math.log(c.q[y])),
    tokenCounts: Uint32Array.from(ys, () => 1),
  }));
  const res = CoverageTournament.build(n, entries, N).result();
  const score = new Map(res.standings.map((s) => [s.id, s.score]));
  assert.ok(score.get('pi_D')! <= 1 / N + res.dev, `π_D score ${score.get('pi_D')}`);
  let losers = 0;
  for (const c of candidates) {
    const covN = p.reduce((a, pv, y) => a + (Math.log(pv) - Math.log(c.q[y]) >= Math.log(N) ? pv : 0), 0);
    if (covN > 1 / N + 2 * res.dev) {
      losers++;
      assert.ok(score.get(c.id)! > score.get('pi_D')!, `${c.id}: Cov_N ${covN} yet score ${score.get(c.id)}`);
    }
  }
  assert.ok(losers >= 2, 'the construction must include candidates that under-cover π_D');
});
