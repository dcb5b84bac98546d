// Fuzzing the run-layout scanner on small random trees (step-like and near-miss names, temp
// and hidden files, nested-run markers, links up, sideways, to themselves and to nothing):
// the scan always ends, and what it returns keeps the contract of README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { scanRun } from '../../src/core/layout';
import { parseStep } from '../../src/core/layout/naming';
import { fuzzParams } from '../support/fuzz';
import { tempDir } from '../support/temp';

const DIRS = [
  'step-1',
  'step_2',
  'checkpoint-3',
  'CKPT-10',
  'iter_0004',
  'global_step5',
  'run3_step-6',
  'steps-3',
  'step-1.5',
  'epoch-2',
  'onnx',
  'a',
  '.hidden',
  'node_modules',
  '.coverage',
  'step-99999999999999999999',
];
const FILES = [
  'model.onnx',
  'decoder_model.onnx',
  'decoder_model_merged.onnx',
  'x.onnx',
  'y.ONNX',
  'step-7.onnx',
  'ckpt-8.onnx',
  'ckpt-8.onnx.tmp',
  'model.onnx_data',
  '.model.onnx.abc',
  'eval.jsonl',
  'coverage.json',
  'README.md',
  'step-9.onnx.partial',
];
const LINKS = ['..', '.', '../..', 'step-1', 'missing', 'model.onnx', '../step_2'];

type Entry = { dirs: string[]; kind: 'file'; name: string; bytes: number } | { dirs: string[]; kind: 'link'; name: string; target: string };
const dirs = fc.array(fc.constantFrom(...DIRS), { maxLength: 3 });
const entry: fc.Arbitrary<Entry> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      dirs,
      kind: fc.constant('file' as const),
      name: fc.constantFrom(...FILES),
      bytes: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      dirs,
      kind: fc.constant('link' as const),
      name: fc.constantFrom('l', 'step-4', 'model.onnx', 'ln.onnx'),
      target: fc.constantFrom(...LINKS),
    }),
  },
);

function build(root: string, entries: Entry[]): void {
  for (const e of entries) {
    const p = join(root, ...e.dirs, e.name);
    try {
      mkdirSync(dirname(p), { recursive: true });
      if (existsSync(p)) continue;
      if (e.kind === 'file') writeFileSync(p, 'ab'.repeat(e.bytes));
      else symlinkSync(e.target, p);
    } catch {
      // A parent that is already a file or a link: the tree just comes out smaller.
    }
  }
}

/** The step a checkpoint must have: its file's own, else the nearest step folder's. */
function expectedStep(path: string): number | undefined {
  const parts = path.split('/');
  const own = parseStep(parts[parts.length - 1].replace(/\.onnx$/i, ''));
  if (own && 'step' in own) return own.step;
  for (let i = parts.length - 2; i >= 0; i--) {
    const s = parseStep(parts[i]);
    if (s) return 'step' in s ? s.step : undefined;
  }
  return undefined;
}

test('random run trees: the scan ends and its listing keeps the contract', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 10 }), async (entries) => {
      // A fresh tree for every case; all are removed when the test ends.
      const root = tempDir(t);
      build(root, entries);
      // A clock a minute ahead: nothing is "being written" by age, only by name.
      const opts = { now: () => Date.now() + 60_000 };
      const layout = await scanRun(root, opts);
      const paths = layout.checkpoints.map((k) => k.path);
      for (const k of layout.checkpoints) {
        assert.ok(!k.path.startsWith('/') && !k.path.split('/').includes('..'), k.path);
        assert.ok(statSync(k.modelPath).isFile() && /\.onnx$/i.test(k.modelPath), k.modelPath);
        assert.equal(k.step, expectedStep(k.path), k.path);
        assert.ok(!k.path.split('/').some((d) => d.startsWith('.') || d === 'node_modules'), k.path);
        for (const d of k.dataPaths) assert.ok(statSync(d).isFile());
        for (const o of k.sameStep) assert.ok(paths.includes(o) && o !== k.path);
        if (k.duplicateOf !== undefined) assert.ok(paths.includes(k.duplicateOf));
      }
      assert.equal(new Set(paths).size, paths.length, 'a checkpoint listed twice');
      for (let i = 1; i < paths.length; i++) {
        const [a, b] = [layout.checkpoints[i - 1], layout.checkpoints[i]];
        assert.ok(a.step < b.step || (a.step === b.step && a.path < b.path), 'not sorted');
      }
      for (const p of layout.pending) assert.ok(!paths.includes(p), `${p} both pending and a checkpoint`);
      for (const n of layout.nestedRuns) assert.ok(!paths.some((p) => p.startsWith(n + '/')), `nested run ${n} mixed in`);
      for (const p of layout.problems) assert.ok(p.file.length > 0 && p.message.length > 0);
      // The same tree scans the same way twice.
      assert.deepEqual(await scanRun(root, opts), layout);
    }),
    fuzzParams(120, 'run layout'),
  );
});
