import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyPath, coalesce, diffCheckpoints, isEmptyBatch, type RawEvent, type RawEventKind } from '../../src/host/watchEvents';

test('the store, hidden and temporary files are ignored; config and eval files are named', () => {
  assert.equal(classifyPath('.coverage/abc.bin'), 'ignored');
  assert.equal(classifyPath('.coverage'), 'ignored');
  assert.equal(classifyPath('scores/x.bin', { storeDir: 'scores' }), 'ignored');
  assert.equal(classifyPath('step-1/.model.onnx.swp'), 'ignored');
  assert.equal(classifyPath('step-1/model.onnx.partial'), 'ignored');
  assert.equal(classifyPath('step-1/model.onnx.tmp'), 'ignored');
  assert.equal(classifyPath('.git/index'), 'ignored');
  assert.equal(classifyPath('coverage.json'), 'config');
  assert.equal(classifyPath('eval.jsonl'), 'eval');
  assert.equal(classifyPath('data/dev.jsonl', { evalPaths: ['data/dev.jsonl'] }), 'eval');
  assert.equal(classifyPath('step-1/model.onnx'), 'checkpoint');
  assert.equal(classifyPath('sub/coverage.json'), 'checkpoint'); // only the run root's config counts
});

const ev = (kind: RawEventKind, path: string): RawEvent => ({ kind, path });

test('a trainer writing a checkpoint in pieces is one added path', () => {
  const b = coalesce([
    ev('addDir', 'step-9'),
    ev('add', 'step-9/model.onnx.tmp'),
    ev('change', 'step-9/model.onnx.tmp'),
    ev('unlink', 'step-9/model.onnx.tmp'),
    ev('add', 'step-9/model.onnx'),
    ev('change', 'step-9/model.onnx'),
  ]);
  assert.deepEqual(
    [...b.checkpoints],
    [
      ['step-9', 'added'],
      ['step-9/model.onnx', 'added'],
    ],
  );
  assert.equal(b.config, false);
});

test('net effects: created then deleted is nothing, deleted then created is a replacement', () => {
  const b = coalesce([
    ev('add', 'a.onnx'),
    ev('unlink', 'a.onnx'),
    ev('unlink', 'b.onnx'),
    ev('add', 'b.onnx'),
    ev('change', 'c.onnx'),
    ev('unlink', 'c.onnx'),
  ]);
  assert.deepEqual(Object.fromEntries(b.checkpoints), { 'b.onnx': 'changed', 'c.onnx': 'removed' });
});

test('only store writes make an empty batch', () => {
  assert.equal(isEmptyBatch(coalesce([ev('add', '.coverage/x'), ev('change', '.coverage/x')])), true);
  const b = coalesce([ev('change', 'coverage.json'), ev('change', 'eval.jsonl'), ev('add', '.coverage/y')]);
  assert.deepEqual([b.config, b.eval, b.checkpoints.size], [true, true, 0]);
});

test('coalescing agrees with replaying the events on a set of files', () => {
  const names = ['a.onnx', 'b.onnx', 'c.onnx'];
  const evs = fc.array(fc.record({ kind: fc.constantFrom<RawEventKind>('add', 'change', 'unlink'), path: fc.constantFrom(...names) }), {
    maxLength: 30,
  });
  fc.assert(
    fc.property(fc.subarray(names), evs, (initial, events) => {
      // Keep only event sequences a real file system can produce.
      const exists = new Set(initial);
      const valid: RawEvent[] = [];
      for (const e of events) {
        if (e.kind === 'add' && exists.has(e.path)) continue;
        if (e.kind !== 'add' && !exists.has(e.path)) continue;
        if (e.kind === 'add') exists.add(e.path);
        if (e.kind === 'unlink') exists.delete(e.path);
        valid.push(e);
      }
      const b = coalesce(valid);
      for (const n of names) {
        const was = initial.includes(n);
        const is = exists.has(n);
        const got = b.checkpoints.get(n);
        if (!was && is) assert.equal(got, 'added', n);
        else if (was && !is) assert.equal(got, 'removed', n);
        else if (!was && !is) assert.equal(got, undefined, n);
        else assert.equal(got === undefined || got === 'changed', true, n);
        if (was && is)
          assert.equal(
            got === 'changed',
            valid.some((e) => e.path === n),
            n,
          );
      }
    }),
  );
});

test('diff: added, removed, and replaced when one of its files was written again', () => {
  const c = (path: string, step: number, files = [path]) => ({ path, step, files });
  const prev = [c('step-1/model.onnx', 1, ['step-1/model.onnx', 'step-1/model.onnx_data']), c('step-2/model.onnx', 2), c('step-3.onnx', 3)];
  const next = [c('step-1/model.onnx', 1, ['step-1/model.onnx', 'step-1/model.onnx_data']), c('step-3.onnx', 3), c('step-4/model.onnx', 4)];
  const touched = new Map([
    ['step-1/model.onnx_data', 'changed' as const],
    ['step-4/model.onnx', 'added' as const],
    ['step-2', 'removed' as const],
  ]);
  assert.deepEqual(diffCheckpoints(prev, next, touched), {
    added: ['step-4/model.onnx'],
    removed: ['step-2/model.onnx'],
    replaced: ['step-1/model.onnx'],
  });
  // A directory swapped in by rename shows up as the directory changing.
  assert.deepEqual(diffCheckpoints(prev, prev, new Map([['step-2', 'changed' as const]])).replaced, ['step-2/model.onnx']);
});
