import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/run/restartPolicy';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, retriesPerJob: 1 };
const at = (tried: number[], next?: number) => (next === undefined ? { tried } : { tried, next });

test('a crash is retried once, on a smaller budget, after a back-off; then the job fails with the reason and the budgets', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('crashed', 1, 'worker exited with code 134', at([8192], 4096)), {
    action: 'retry',
    delayMs: 100,
    tokenBudget: 4096,
  });
  assert.deepEqual(p.onFailure('crashed', 2, 'worker exited with code 134', at([8192, 4096], 2048)), {
    action: 'fail',
    reason: 'the scoring worker stopped 2 times on this checkpoint (token budget 8192, 4096): worker exited with code 134',
  });
});

test('out of memory: retried on ever smaller budgets down to one sample per batch, never twice on one budget', () => {
  const p = new RestartPolicy(opts);
  const tried = [16_777_216];
  const budgets = [800, 400, 200];
  for (const [i, next] of budgets.entries()) {
    const d = p.onFailure('out-of-memory', i + 1, 'killed', at(tried, next));
    assert.equal(d.action, 'retry');
    assert.equal((d as { tokenBudget: number }).tokenBudget, next);
    tried.push(next);
  }
  // At 200 every batch holds one sample already: nothing smaller to try.
  assert.deepEqual(p.onFailure('out-of-memory', 4, 'killed', at(tried)), {
    action: 'fail',
    reason:
      'the scoring worker stopped 4 times on this checkpoint (token budget 16777216, 800, 400, 200, the last with one sample per batch): killed',
  });
  assert.equal(new Set(tried).size, tried.length);
});

test('a worker that dies with one sample per batch already is not run again on the same budget', () => {
  assert.deepEqual(new RestartPolicy(opts).onFailure('crashed', 1, 'SIGSEGV', at([64])), {
    action: 'fail',
    reason: 'the scoring worker stopped once on this checkpoint (token budget 64, the last with one sample per batch): SIGSEGV',
  });
});

test('retries 0: a death fails the job at once, out of memory too', () => {
  const p = new RestartPolicy({ ...opts, retriesPerJob: 0 });
  assert.deepEqual(p.onFailure('out-of-memory', 1, 'heap', at([512], 256)), { action: 'fail', reason: 'heap' });
  assert.deepEqual(p.onFailure('crashed', 1, 'x', at([512], 256)), { action: 'fail', reason: 'x' });
});

test('an error the job reported is not retried, whatever its kind', () => {
  const p = new RestartPolicy(opts);
  assert.deepEqual(p.onFailure('bad-model', 1, 'model has no logits output', at([512], 256)), {
    action: 'fail',
    reason: 'model has no logits output',
  });
  for (const kind of ['bad-data', 'unreadable', 'changed', 'deleted', 'store', 'internal'] as const) {
    assert.deepEqual(p.onFailure(kind, 1, 'x', at([512], 256)), { action: 'fail', reason: 'x' });
  }
  assert.equal(p.consecutiveCrashes, 0);
});

test('a cancelled job is dropped, not failed', () => {
  assert.deepEqual(new RestartPolicy(opts).onFailure('cancelled', 1, 'closed', at([512], 256)), { action: 'drop' });
});

test('back-off doubles with consecutive crashes, is capped, and resets after a success', () => {
  const p = new RestartPolicy(opts);
  const delays = [1, 1, 1, 1, 1, 1].map(() => (p.onFailure('crashed', 1, 'x', at([512], 256)) as { delayMs: number }).delayMs);
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  p.onSuccess();
  assert.equal(p.backoff(), 0);
  assert.deepEqual(p.onFailure('crashed', 1, 'x', at([512], 256)), { action: 'retry', delayMs: 100, tokenBudget: 256 });
});

test('the user is told once per crash streak', () => {
  const p = new RestartPolicy(opts);
  assert.equal(p.shouldTellUser(), false);
  p.onFailure('crashed', 1, 'x', at([512], 256));
  assert.equal(p.shouldTellUser(), true);
  p.onFailure('crashed', 2, 'x', at([512, 256], 128));
  assert.equal(p.shouldTellUser(), false);
  p.onSuccess();
  p.onFailure('crashed', 1, 'x', at([512], 256));
  assert.equal(p.shouldTellUser(), true);
});
