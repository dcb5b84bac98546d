// scanSettled's bound and timing, on a fake clock: it scans again when the last recent file
// settles, follows a file that keeps changing, and gives up at the bound with it still pending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunLayout } from '../../src/core/layout';
import { scanSettled } from '../../src/run/settle';

/** A layout with `settling` checkpoints that settle at `settledAt`. */
function layout(settling: string[], settledAt: number): RunLayout {
  return { root: '/r', checkpoints: [], pending: settling, settling, settledAt, problems: [], nestedRuns: [] };
}

function fakeTime() {
  let t = 1000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

test('scans again just after the last recent file settles, and says once what it waits for', async () => {
  const clock = fakeTime();
  const waits: [string[], number][] = [];
  const scans = [layout(['step-1/model.onnx'], 2500), layout([], 0)];
  const got = await scanSettled(
    { scan: async () => scans.shift()! },
    { ...clock, maxWaitMs: 60_000, onWait: (s, left) => waits.push([[...s], left]) },
  );
  assert.deepEqual(got.settling, []);
  assert.deepEqual(clock.sleeps, [1550]);
  assert.deepEqual(waits, [[['step-1/model.onnx'], 60_000]]);
});

test('a file that keeps changing is waited for up to the bound, then left pending', async () => {
  const clock = fakeTime();
  let scans = 0;
  const got = await scanSettled(
    {
      scan: async () => {
        scans++;
        return layout(['step-1/model.onnx'], clock.now() + 2000);
      },
    },
    { ...clock, maxWaitMs: 5000 },
  );
  assert.deepEqual(got.settling, ['step-1/model.onnx']);
  assert.equal(clock.now(), 6000);
  assert.deepEqual(clock.sleeps, [2050, 2050, 900]);
  assert.equal(scans, 4);
});

test('no wait at all with a bound of 0 (--no-wait) or nothing settling', async () => {
  const clock = fakeTime();
  const recent = layout(['step-1/model.onnx'], 2000);
  assert.equal(await scanSettled({ scan: async () => recent }, { ...clock, maxWaitMs: 0 }), recent);
  const settled = layout([], 0);
  assert.equal(await scanSettled({ scan: async () => settled }, clock), settled);
  assert.deepEqual(clock.sleeps, []);
});
