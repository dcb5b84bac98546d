import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/core/restartPolicy';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, retriesPerJob: 1 };

test('a crash is retried once after a back-off, then the job fails with the reason', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('crash', 1, 'worker exited with code 134'), { action: 'retry', delayMs: 100 });
  const d = p.onFailure('crash', 2, 'worker exited with code 134');
  assert.equal(d.action, 'fail');
  assert.match((d as { reason: string }).reason, /stopped 2 times.*code 134/);
});

test('an error the job reported is not retried', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('error', 1, 'model has no logits output'), { action: 'fail', reason: 'model has no logits output' });
  assert.equal(p.consecutiveCrashes, 0);
});

test('a cancelled job is dropped, not failed', () => {
  assert.deepEqual(new RestartPolicy(opts).onFailure('cancelled', 1, 'closed'), { action: 'drop' });
});

test('back-off doubles with consecutive crashes, is capped, and resets after a success', () => {
  const p = new RestartPolicy(opts);
  const delays = [1, 1, 1, 1, 1, 1].map(() => (p.onFailure('crash', 1, 'x') as { delayMs: number }).delayMs);
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  p.onSuccess();
  assert.equal(p.backoff(), 0);
  assert.deepEqual(p.onFailure('crash', 1, 'x'), { action: 'retry', delayMs: 100 });
});

test('the user is told once per crash streak', () => {
  const p = new RestartPolicy(opts);
  assert.equal(p.shouldTellUser(), false);
  p.onFailure('crash', 1, 'x');
  assert.equal(p.shouldTellUser(), true);
  p.onFailure('crash', 2, 'x');
  assert.equal(p.shouldTellUser(), false);
  p.onSuccess();
  p.onFailure('crash', 1, 'x');
  assert.equal(p.shouldTellUser(), true);
});
