// ensureScored over a run: scores land in the store (never in checkpoint folders), a second
// pass reads them back without scoring, a damaged file is rescored, a bad checkpoint fails
// alone, and the score command's arguments are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HashCache } from '../../src/core/hashcache';
import { bigramModel } from '../../src/core/onnx/models';
import { parseScoreArgs } from '../../src/cli/score';
import { scoreRunFolder } from '../support/scoreRun';
import { UsageError } from '../../src/cli/args';
import { scoreModel } from '../../src/scoring/scorer';
import { CPU, lcg, randomSamples, saveModel } from './helpers';
import { tempDir } from '../support/temp';

function makeRun(dir: string) {
  const vocab = 7;
  const samples = randomSamples(12, vocab, 4);
  for (const step of [100, 200]) {
    const r = lcg(step);
    saveModel(dir, `step-${step}`, bigramModel({ table: Float32Array.from({ length: vocab * vocab }, () => r() * 3), vocab }));
  }
  writeFileSync(
    join(dir, 'eval.jsonl'),
    samples.map((s) => JSON.stringify({ id: s.id, prompt_ids: [...s.promptIds], response_ids: [...s.responseIds] })).join('\n') + '\n',
  );
  return { samples };
}

const listing = (dir: string) =>
  readdirSync(dir)
    .map((n) => `${n}:${statSync(join(dir, n)).mtimeMs}`)
    .sort();

test('scores go to the store once, are reused, and a damaged file is rescored', async (t) => {
  const dir = tempDir(t);
  const { samples } = makeRun(dir);
  const before = listing(join(dir, 'step-100'));
  const first = await scoreRunFolder(dir, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(
    first.outcomes.map((o) => [o.entry.step, o.reused, o.error]),
    [
      [100, false, undefined],
      [200, false, undefined],
    ],
  );
  assert.deepEqual(listing(join(dir, 'step-100')), before, 'nothing written in the checkpoint folder');
  const direct = await scoreModel({ modelPath: join(dir, 'step-100', 'model.onnx'), evalFile: 'e', samples, options: CPU });
  assert.deepEqual(first.outcomes[0].record!.scores.seqLogprob, direct.seqLogprob);
  assert.equal(first.outcomes[0].record!.info.provider, 'cpu');

  const second = await scoreRunFolder(dir, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(
    second.outcomes.map((o) => o.reused),
    [true, true],
  );
  assert.equal(second.scoringSeconds, 0);
  assert.deepEqual(second.outcomes[1].record, first.outcomes[1].record);

  const scores = join(dir, '.coverage', 'scores');
  const files = readdirSync(scores);
  assert.equal(files.length, 2);
  writeFileSync(join(scores, files[0]), 'garbage');
  const third = await scoreRunFolder(dir, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(third.outcomes.map((o) => o.reused).sort(), [false, true]);
  assert.ok(third.outcomes.every((o) => !o.error));
});

/** Every HashCache that hashes a file from here on, to read their `hashed` counters. */
function spyCaches(t: { after(fn: () => void): void }): Set<HashCache> {
  const caches = new Set<HashCache>();
  const original = HashCache.prototype.hash;
  HashCache.prototype.hash = function (this: HashCache, ...args: Parameters<HashCache['hash']>) {
    caches.add(this);
    return original.apply(this, args);
  };
  t.after(() => {
    HashCache.prototype.hash = original;
  });
  return caches;
}

test('model hashes are kept in <store>/hashes.json: each model hashed once, a second pass rehashes nothing', async (t) => {
  const dir = tempDir(t);
  makeRun(dir);
  const caches = spyCaches(t);
  const hashed = () => [...caches].reduce((a, c) => a + c.hashed, 0);
  const first = await scoreRunFolder(dir, { provider: 'cpu', settleMs: 0 });
  assert.ok(first.outcomes.every((o) => !o.error && !o.reused));
  assert.equal(hashed(), 2, 'the layout scan and the store keys share one cache: each model is read once');

  const file = join(dir, '.coverage', 'hashes.json');
  const text = readFileSync(file, 'utf8');
  const mtime = statSync(file).mtimeMs;
  const entries = (JSON.parse(text) as { entries: Record<string, { sha256: string }> }).entries;
  assert.equal(Object.keys(entries).length, 2, text);
  for (const step of [100, 200]) {
    const model = join(dir, `step-${step}`, 'model.onnx');
    const sha = createHash('sha256').update(readFileSync(model)).digest('hex');
    assert.deepEqual(Object.values(entries).filter((e) => e.sha256 === sha).length, 1, `one entry for ${model}`);
  }

  caches.clear();
  const second = await scoreRunFolder(dir, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(
    second.outcomes.map((o) => o.reused),
    [true, true],
  );
  assert.ok(caches.size > 0, 'the second pass looked its hashes up');
  assert.equal(hashed(), 0, 'nothing rehashed');
  assert.equal(readFileSync(file, 'utf8'), text);
  assert.equal(statSync(file).mtimeMs, mtime, 'hashes.json not rewritten');
});

test('a broken checkpoint fails alone, named by its path', async (t) => {
  const dir = tempDir(t);
  makeRun(dir);
  mkdirSync(join(dir, 'step-300'));
  writeFileSync(join(dir, 'step-300', 'model.onnx'), 'not a model');
  const r = await scoreRunFolder(dir, { provider: 'cpu', settleMs: 0 });
  assert.deepEqual(
    r.outcomes.map((o) => [o.entry.step, Boolean(o.error)]),
    [
      [100, false],
      [200, false],
      [300, true],
    ],
  );
  assert.match(r.outcomes[2].error!, /step-300\/model\.onnx: .*not a readable ONNX model/);
});

test('score arguments: defaults, and clear errors for bad ones', () => {
  assert.deepEqual(parseScoreArgs(['run']), { run: 'run', scoring: { provider: 'auto', tokenBudget: 8192 }, wait: true });
  assert.deepEqual(parseScoreArgs(['run', '--provider', 'cpu', '--budget', '512', '--no-wait']), {
    run: 'run',
    scoring: { provider: 'cpu', tokenBudget: 512 },
    wait: false,
  });
  assert.throws(
    () => parseScoreArgs(['run', '--provider', 'tpu']),
    (e: Error) => e instanceof UsageError && /expected one of auto, cuda, webgpu, cpu/.test(e.message),
  );
  assert.throws(() => parseScoreArgs(['run', '--budget', '1.5']), /--budget 1.5: expected a positive whole number/);
  assert.throws(() => parseScoreArgs([]), /missing the run folder/);
  assert.throws(() => parseScoreArgs(['run', '--nope']), UsageError);
});
