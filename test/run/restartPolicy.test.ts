import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/run/restartPolicy';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, retriesPerJob: 1 };

test('a crash is retried once after a back-off, then the job fails with the reason', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('crashed', 1, 'worker exited with code 134'), { action: 'retry', delayMs: 100 });
  const d = p.onFailure('crashed', 2, 'worker exited with code 134');
  assert.equal(d.action, 'fail');
  assert.match((d as { reason: string }).reason, /stopped 2 times.*code 134/);
});

test('an error the job reported is not retried, whatever its kind', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('bad-model', 1, 'model has no logits output'), { action: 'fail', reason: 'model has no logits output' });
  for (const kind of ['bad-data', 'unreadable', 'changed', 'deleted', 'store', 'internal'] as const) {
    assert.deepEqual(p.onFailure(kind, 1, 'x'), { action: 'fail', reason: 'x' });
  }
  assert.equal(p.consecutiveCrashes, 0);
});

test('running out of memory counts as a crash: the worker died', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('out-of-memory', 1, 'heap'), { action: 'retry', delayMs: 100 });
  assert.equal(p.consecutiveCrashes, 1);
});

test('a cancelled job is dropped, not failed', () => {
  assert.deepEqual(new RestartPolicy(opts).onFailure('cancelled', 1, 'closed'), { action: 'drop' });
});

test('back-off doubles with consecutive crashes, is capped, and resets after a success', () => {
  const p = new RestartPolicy(opts);
  const delays = [1, 1, 1, 1, 1, 1].map(() => (p.onFailure('crashed', 1, 'x') as { delayMs: number }).delayMs);
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  p.onSuccess();
  assert.equal(p.backoff(), 0);
  assert.deepEqual(p.onFailure('crashed', 1, 'x'), { action: 'retry', delayMs: 100 });
});

test('the user is told once per crash streak', () => {
  const p = new RestartPolicy(opts);
  assert.equal(p.shouldTellUser(), false);
  p.onFailure('crashed', 1, 'x');
  assert.equal(p.shouldTellUser(), true);
  p.onFailure('crashed', 2, 'x');
  assert.equal(p.shouldTellUser(), false);
  p.onSuccess();
  p.onFailure('crashed', 1, 'x');
  assert.equal(p.shouldTellUser(), true);
});
