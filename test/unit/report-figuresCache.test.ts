// Figures kept between report builds (core/report/figuresCache.ts): a build that reuses them must
// equal one that computes every row, as checkpoints arrive, are scored again, skip samples or
// leave, in every reference mode; and it must reuse rows only while nothing they depend on moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, FiguresCache, type ReportCheckpointInput, type ReportInput } from '../../src/core/report';
import { seededRandom } from '../../src/core/demo/chain';
import { testScores } from '../support/scores';

const N_SAMPLES = 60;
const rand = seededRandom(7);
const lengths = Array.from({ length: N_SAMPLES }, () => 1 + Math.floor(rand() * 9));
const refLogprobs = lengths.map((len) => -len * (0.5 + rand()));

function checkpoint(step: number, skip: readonly number[] = []): ReportCheckpointInput {
  const seq = lengths.map((len, i) => (skip.includes(i) ? NaN : -len * (0.3 + 1.5 * rand())));
  return { step, path: `step-${step}`, scores: testScores(seq, lengths) };
}

/** Builds with the cache and without it; they must agree to the last bit. Returns the rows computed. */
function buildBoth(cache: FiguresCache, input: ReportInput): number {
  const before = cache.computed;
  const cached = buildReport({ ...input, figuresCache: cache });
  const fresh = buildReport(input);
  assert.deepEqual(JSON.parse(JSON.stringify(cached)), JSON.parse(JSON.stringify(fresh)));
  return cache.computed - before;
}

for (const reference of ['generator', 'point-mass', 'tournament'] as const) {
  test(`${reference}: builds that reuse rows equal fresh ones as checkpoints arrive, are rescored and leave`, () => {
    const cache = new FiguresCache();
    const base = { reference, refLogprobs, nGrid: [1, 2, 4, 16], selectionN: 4, evalSamples: N_SAMPLES } as const;
    const cps: ReportCheckpointInput[] = [];
    for (let k = 1; k <= 12; k++) {
      cps.push(checkpoint(k * 100));
      const computed = buildBoth(cache, { ...base, checkpoints: cps });
      // With a reference from the data only the new checkpoint is computed; in tournament mode
      // the columns are relative to the suggested checkpoint, so all are when it moves.
      if (reference !== 'tournament') assert.equal(computed, 1, `build ${k}`);
      else assert.ok(computed === 1 || computed === k, `build ${k}: ${computed} rows computed`);
    }
    // Scored again (a new scores object): that row alone.
    cps[5] = { ...checkpoint(600) };
    const rescored = buildBoth(cache, { ...base, checkpoints: cps });
    if (reference !== 'tournament') assert.equal(rescored, 1);
    // A checkpoint leaves; the same scores come back under its path: computed again, not stale.
    const gone = cps.splice(3, 1)[0];
    buildBoth(cache, { ...base, checkpoints: cps });
    cps.push(gone);
    const back = buildBoth(cache, { ...base, checkpoints: cps });
    if (reference !== 'tournament') assert.equal(back, 1, 'a pruned row is computed again');
    // Nothing changed: nothing computed.
    assert.equal(buildBoth(cache, { ...base, checkpoints: cps }), 0);
  });
}

test('what every row shares changes: every row is computed again', () => {
  const cache = new FiguresCache();
  const cps = [checkpoint(100), checkpoint(200), checkpoint(300)];
  const base = { reference: 'generator', refLogprobs, nGrid: [1, 2, 16], selectionN: 2, evalSamples: N_SAMPLES } as const;
  assert.equal(buildBoth(cache, { ...base, checkpoints: cps }), 3);
  // The same values in new arrays: reused.
  assert.equal(buildBoth(cache, { ...base, refLogprobs: [...refLogprobs], nGrid: [16, 2, 1], checkpoints: [...cps] }), 0);
  // Another N grid.
  assert.equal(buildBoth(cache, { ...base, nGrid: [1, 2, 8], checkpoints: cps }), 3);
  // One reference value moves.
  const moved = [...refLogprobs];
  moved[17] -= 0.25;
  assert.equal(buildBoth(cache, { ...base, nGrid: [1, 2, 8], refLogprobs: moved, checkpoints: cps }), 3);
  // Another reference kind over the same values (KL becomes a divergence or stops being one).
  assert.equal(buildBoth(cache, { ...base, reference: 'point-mass', nGrid: [1, 2, 8], refLogprobs: moved, checkpoints: cps }), 3);
  // A checkpoint that skipped a sample shrinks the common set: every row changes.
  assert.equal(
    buildBoth(cache, {
      ...base,
      reference: 'point-mass',
      nGrid: [1, 2, 8],
      refLogprobs: moved,
      checkpoints: [...cps, checkpoint(400, [5])],
    }),
    4,
  );
});
