import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestFailure, RpcEndpoint, RpcRemoteError, RpcTimeoutError, type RpcWire } from '../../src/shared/rpc';

type AReq =
  | { method: 'add'; params: { a: number; b: number }; result: number }
  | { method: 'boom'; params: Record<string, never>; result: void }
  | { method: 'never'; params: Record<string, never>; result: void };
type BReq = { method: 'echo'; params: string; result: string };
type ANote = { method: 'hello'; params: { who: string } };
type BNote = { method: 'bye'; params: null };

/** Two endpoints wired back to back; messages go through a JSON round trip like postMessage. */
function pair(opts: { timeoutMs?: number; deliver?: boolean } = {}) {
  const errors: string[] = [];
  const sentByA: RpcWire[] = [];
  let b!: RpcEndpoint<BReq, AReq, BNote, ANote>;
  const a = new RpcEndpoint<AReq, BReq, ANote, BNote>(
    (w) => {
      sentByA.push(w);
      if (opts.deliver !== false) queueMicrotask(() => b.receive(JSON.parse(JSON.stringify(w))));
    },
    { timeoutMs: opts.timeoutMs, onError: (m) => errors.push(m) },
  );
  b = new RpcEndpoint<BReq, AReq, BNote, ANote>((w) => queueMicrotask(() => a.receive(JSON.parse(JSON.stringify(w)))), {
    onError: (m) => errors.push(m),
  });
  return { a, b, errors, sentByA };
}

test('a request is answered with the handler result and leaves nothing pending', async () => {
  const { a, b } = pair();
  b.onRequest('add', ({ a: x, b: y }) => x + y);
  const results = await Promise.all([a.request('add', { a: 1, b: 2 }), a.request('add', { a: 40, b: 2 })]);
  assert.deepEqual(results, [3, 42]);
  assert.equal(a.pendingCount, 0);
});

test('async handlers are awaited', async () => {
  const { a, b } = pair();
  b.onRequest('add', async ({ a: x, b: y }) => {
    await new Promise((r) => setTimeout(r, 5));
    return x * y;
  });
  assert.equal(await a.request('add', { a: 6, b: 7 }), 42);
});

test('a throwing handler still answers, with its message, and is reported', async () => {
  const { a, b, errors } = pair();
  b.onRequest('boom', () => {
    throw new Error('kaput');
  });
  await assert.rejects(a.request('boom', {}), (e: unknown) => e instanceof RpcRemoteError && e.message === 'kaput');
  assert.equal(a.pendingCount, 0);
  assert.match(errors.join('\n'), /boom.*kaput/);
});

test('an expected failure (RequestFailure) is answered as an error but not reported as a handler fault', async () => {
  const { a, b, errors } = pair();
  b.onRequest('boom', async () => {
    throw new RequestFailure('step-2/model.onnx: not a readable ONNX model');
  });
  await assert.rejects(
    a.request('boom', {}),
    (e: unknown) => e instanceof RpcRemoteError && e.message === 'step-2/model.onnx: not a readable ONNX model',
  );
  assert.equal(a.pendingCount, 0);
  assert.deepEqual(errors, []);
});

test('a request with no handler is answered with an error naming the method', async () => {
  const { a } = pair();
  await assert.rejects(a.request('add', { a: 1, b: 1 }), /no handler for 'add'/);
  assert.equal(a.pendingCount, 0);
});

test('an unanswered request times out, is removed, and a late answer is ignored', async () => {
  const { a, sentByA } = pair({ timeoutMs: 20, deliver: false });
  await assert.rejects(a.request('never', {}), (e: unknown) => e instanceof RpcTimeoutError && /never.*20 ms/.test(e.message));
  assert.equal(a.pendingCount, 0);
  const id = (sentByA[0] as { id: number }).id;
  assert.equal(a.receive({ rpc: 'result', id, result: 1 }), true); // no throw, nothing to settle
  assert.equal(a.pendingCount, 0);
});

test('dispose rejects pending requests and refuses new ones', async () => {
  const { a } = pair({ deliver: false, timeoutMs: 0 });
  const p = a.request('never', {});
  a.dispose('panel closed');
  await assert.rejects(p, /panel closed/);
  await assert.rejects(a.request('never', {}), /channel closed/);
  assert.equal(a.pendingCount, 0);
});

test('a send that throws rejects the request instead of leaving it pending', async () => {
  const a = new RpcEndpoint<AReq, BReq, ANote, BNote>(() => {
    throw new Error('webview disposed');
  });
  await assert.rejects(a.request('add', { a: 1, b: 2 }), /webview disposed/);
  assert.equal(a.pendingCount, 0);
});

test('notifications reach every listener; unsubscribing works; a throwing listener is contained', async () => {
  const { a, b, errors } = pair();
  const got: string[] = [];
  const off = b.onNotification('hello', ({ who }) => got.push(`1:${who}`));
  b.onNotification('hello', () => {
    throw new Error('listener bug');
  });
  a.notify('hello', { who: 'x' });
  await new Promise((r) => setTimeout(r, 1));
  off();
  a.notify('hello', { who: 'y' });
  await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(got, ['1:x']);
  assert.match(errors.join('\n'), /listener bug/);
});

test('both directions at once: each side serves and asks', async () => {
  const { a, b } = pair();
  a.onRequest('echo', (s) => s.toUpperCase());
  b.onRequest('add', async ({ a: x, b: y }) => Number(await b.request('echo', String(x + y))));
  assert.equal(await a.request('add', { a: 2, b: 3 }), 5);
});

test('foreign messages are not taken for RPC', () => {
  const { a } = pair();
  for (const m of [null, 1, 'x', {}, { rpc: 'request' }, { rpc: 'result', id: 'a' }, { rpc: 'error', id: 1 }, { type: 'ping' }]) {
    assert.equal(a.receive(m), false, JSON.stringify(m));
  }
});
