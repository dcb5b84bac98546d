// One call per interval: the first at once, the ones that follow within the interval as one call
// at its end, and flush runs what waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from '../../src/host/throttle';

test('a quiet throttle calls at once; a burst within the interval becomes one call at its end', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let calls = 0;
  const th = new Throttle(
    () => calls++,
    () => 100,
  );
  th.request();
  assert.equal(calls, 1, 'at once');
  th.request();
  th.request();
  t.mock.timers.tick(50);
  assert.equal(calls, 1, 'the burst waits for the interval');
  t.mock.timers.tick(50);
  assert.equal(calls, 2, 'and runs once');
  t.mock.timers.tick(500);
  th.request();
  assert.equal(calls, 3, 'quiet again: at once');
  th.request();
  th.flush();
  assert.equal(calls, 4, 'flush runs what waits');
  t.mock.timers.tick(1000);
  assert.equal(calls, 4, 'and nothing runs twice');
  th.request();
  th.request();
  assert.equal(calls, 5);
  th.dispose();
  t.mock.timers.tick(1000);
  assert.equal(calls, 5, 'disposed: the waiting call is dropped');
});
