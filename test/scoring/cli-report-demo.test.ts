// What `demo` does (src/cli/demo.ts over src/core/demo/run.ts): it writes the run, scores it and
// prints the report and a line stating the demo's finding from the report's own rows. Run again on
// the same folder it rewrites its own files in place and keeps the store: the models are the same
// bytes, so their content hashes (the store keys) match and nothing is scored again. A folder it
// did not write is refused and left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as demo } from '../../src/cli/demo';
import { tempDir } from '../support/temp';

async function runDemo(dir: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await demo.run([dir, '--samples', '300'], {
    out: (t) => {
      out.push(t);
    },
    err: (t) => {
      err.push(t);
    },
    cwd: dir,
  });
  return { code, out: out.join(''), err: err.join('') };
}

/** Every file under `dir` (relative path → bytes), sub-folders included. */
function files(dir: string): Map<string, Buffer> {
  const all = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(
    all
      .map((e) => join(e.parentPath, e.name))
      .sort()
      .map((p) => [p.slice(dir.length + 1), readFileSync(p)]),
  );
}

/** The step of the report row carrying `mark` (the table's right-hand column). */
function markedStep(out: string, mark: string): number {
  const rows = out.split('\n').filter((l) => l.endsWith(mark));
  assert.equal(rows.length, 1, `one row marked '${mark}'`);
  return Number(rows[0].trim().split(/\s+/)[0]);
}

test('demo writes the run, prints the report, and states the finding the report shows', async (t) => {
  const dir = join(tempDir(t), 'demo');
  const r = await runDemo(dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`^demo: wrote 13 checkpoints and 300 eval samples to ${dir} in \\d+ ms$`, 'm'));
  assert.match(r.err, /13 checkpoint\(s\): 13 scored/);
  // The run's files and the store the report filled; nothing else.
  assert.deepEqual(readdirSync(dir).sort(), ['.coverage', 'checkpoints', 'coverage.json', 'demo-generator.json', 'eval.jsonl']);
  assert.equal(readdirSync(join(dir, 'checkpoints')).length, 13);
  assert.equal(readdirSync(join(dir, '.coverage', 'scores')).length, 13);
  assert.match(r.out, /^reference: generator · samples: 300 of 300/m);
  // The finding names the rows the table marks, with their figures, and says the suggestion covers better.
  const suggested = markedStep(r.out, '◀ suggested');
  const lowestCe = markedStep(r.out, '◀ lowest CE');
  assert.notEqual(suggested, lowestCe);
  const finding = new RegExp(
    `^Demo: the tournament, which never reads ref_logprob, suggests step ${suggested}, not the lowest-cross-entropy step ${lowestCe} ` +
      `\\(CE (\\d\\.\\d{4}) vs (\\d\\.\\d{4}) nats/token\\)\\. By the generator's exact figures step ${suggested} covers better: ` +
      `Cov@16 = (\\d\\.\\d{4}) vs (\\d\\.\\d{4}) \\(lower is better\\)\\.$`,
    'm',
  );
  const m = finding.exec(r.out);
  assert.ok(m, r.out);
  const row = (step: number) =>
    r.out
      .split('\n')
      .find((l) => l.trim().split(/\s+/)[0] === String(step))!
      .trim()
      .split(/\s+/);
  // Columns: step, tokens, CE/token, Cov@2, Cov@16, …
  assert.deepEqual([m[1], m[2], m[3], m[4]], [row(suggested)[2], row(lowestCe)[2], row(suggested)[4], row(lowestCe)[4]]);
  assert.ok(Number(m[3]) < Number(m[4]), 'the suggestion covers better');
});

test('a second demo on the same folder rewrites the run, keeps the store untouched and scores nothing', async (t) => {
  const dir = join(tempDir(t), 'demo');
  const first = await runDemo(dir);
  assert.equal(first.code, 0, first.err);
  const before = files(dir);
  const second = await runDemo(dir);
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /13 checkpoint\(s\): 0 scored in 0\.0 s, 13 reused from the store/);
  assert.equal(second.out.replace(/\d+ ms/g, ''), first.out.replace(/\d+ ms/g, ''), 'the same report');
  // The same files, byte for byte: the run is rewritten identically, the stored scores are the
  // ones the first demo wrote, and keeping them left nothing behind. Only the hash cache moves
  // (the models are new files with new times), and it holds the same content hashes.
  const after = files(dir);
  assert.deepEqual([...after.keys()], [...before.keys()]);
  const cache = join('.coverage', 'hashes.json');
  for (const [path, bytes] of before) if (path !== cache) assert.ok(after.get(path)!.equals(bytes), `${path} changed`);
  const hashes = (b: Buffer) =>
    Object.entries(JSON.parse(b.toString()).entries as Record<string, { sha256: string }>)
      .map(([p, e]) => [p, e.sha256])
      .sort();
  assert.equal(hashes(before.get(cache)!).length, 13);
  assert.deepEqual(hashes(after.get(cache)!), hashes(before.get(cache)!));
});

test('a folder the demo did not write is refused and left as it was', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  await assert.rejects(
    runDemo(dir),
    new RegExp(`^Error: ${dir}: the folder is not empty and is not a demo run \\(no demo-generator\\.json\\); choose another folder$`),
  );
  assert.deepEqual(
    [...files(dir).entries()].map(([p, b]) => [p, b.toString()]),
    [['notes.txt', 'mine']],
  );
});
