// Bad eval files through `checkpoint-coverage runs`: every bad line is named by file, line
// and id with what was expected, the valid lines still load, and an eval set with nothing
// usable makes the command exit 1 with the reason on stderr. Messages are the ones quoted in
// README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync, statSync } from 'node:fs';
import { command as runs } from '../../src/cli/runs';
import { loadEvalSet } from '../../src/core/evalset';
import { callCommand, fixture } from '../support/cli';
import { notUtf8Eval, utf16Eval, writeHugeLineEval } from '../support/badEval';
import { tempRun } from '../support/temp';

interface Problem {
  file: string;
  line?: number;
  subject?: string;
  message: string;
}

/** `runs --json` on a run whose eval.jsonl is `body`; the eval part of the listing. */
async function listEval(t: { after(fn: () => void): void }, body: string | Uint8Array, extra: Record<string, string> = {}) {
  const root = tempRun(t, { 'eval.jsonl': body, ...extra });
  const r = await callCommand(runs, [root, '--json']);
  const j = JSON.parse(r.out) as { eval: { samples?: number; error?: string; problems: Problem[] } };
  return { ...r, root, eval: j.eval, lines: j.eval.problems.map((p) => [p.line, p.subject ?? null, p.message]) };
}

test('an empty file and a file of blank lines: exit 1, "the eval set is empty"', async (t) => {
  for (const name of ['empty', 'blank']) {
    const r = await listEval(t, fixture(`eval/${name}.jsonl`));
    assert.equal(r.code, 1, name);
    assert.equal(
      r.err,
      `checkpoint-coverage runs: ${join(r.root, 'eval.jsonl')}: the eval set is empty; expected one JSON object per line\n`,
    );
    assert.deepEqual(r.eval.problems, []);
  }
});

test('malformed JSON lines are named by line; the valid lines load', async (t) => {
  const r = await listEval(t, fixture('eval/malformed.jsonl'));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.eval.samples, 2);
  assert.deepEqual(
    r.eval.problems.map((p) => [p.file, p.line]),
    [2, 3, 4, 5, 6, 7].map((l) => ['eval.jsonl', l]),
  );
  // The JSON parser's own detail (V8's wording) follows the fixed part.
  for (const p of [r.eval.problems[0], r.eval.problems[1], r.eval.problems[5]]) assert.match(p.message, /^not valid JSON \(.+\)$/);
  assert.deepEqual(r.lines.slice(2, 5), [
    [4, null, 'expected a JSON object, found an array'],
    [5, null, 'expected a JSON object, found "just a string"'],
    [6, null, 'expected a JSON object, found null'],
  ]);
});

// Each fixture has one valid line (line 1) and one bad line after another: the valid one
// loads, and every bad one is named by line and id with what was expected.
const perLine: { name: string; fixture: string; lines: (string | number | null)[][] }[] = [
  {
    name: 'negative, fractional, string and too-large token ids, and wrong shapes: line, id and expectation',
    fixture: 'eval/bad-ids.jsonl',
    lines: [
      [2, 'neg', '"prompt_ids"[1] is -2; expected a non-negative integer token id'],
      [3, 'frac', '"response_ids"[0] is 2.5; expected a non-negative integer token id'],
      [4, 'str', '"prompt_ids"[0] is "7"; expected a non-negative integer token id'],
      [5, 'big', '"response_ids"[0] is 2147483648; expected a non-negative integer token id'],
      [6, 'not-array', '"prompt_ids" must be an array of token ids, found 5'],
      [7, 'no-response', 'missing "response_ids"'],
      [8, 'empty-response', '"response_ids" is empty; expected at least one token'],
      [9, 'both', 'mixes token ids (prompt_ids/response_ids) with text (prompt/response); use one form per line'],
      [10, 'neither', 'expected "prompt_ids" + "response_ids" (token ids) or "prompt" + "response" (text)'],
      [11, null, '"id" must be a string or a number, found an array'],
    ],
  },
  {
    name: 'non-finite, non-numeric and positive ref_logprob are refused per line',
    fixture: 'eval/ref-logprob.jsonl',
    lines: [
      [2, 'inf', '"ref_logprob" must be a finite number, found Infinity'],
      [3, '-inf', '"ref_logprob" must be a finite number, found -Infinity'],
      [4, 'nan-string', '"ref_logprob" must be a finite number, found "NaN"'],
      [5, 'null', '"ref_logprob" must be a finite number, found null'],
      [6, 'positive', '"ref_logprob" is 0.5; a natural-log probability is at most 0'],
    ],
  },
];
for (const c of perLine) {
  test(c.name, async (t) => {
    const r = await listEval(t, fixture(c.fixture));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.eval.samples, 1);
    assert.deepEqual(r.lines, c.lines);
  });
}

test('text without a tokenizer: every line says so, and the run cannot be used (exit 1)', async (t) => {
  const r = await listEval(t, fixture('eval/text-no-tokenizer.jsonl'));
  assert.equal(r.code, 1);
  const why =
    'has text (prompt/response) but no tokenizer: put a tokenizer.json in the run folder or name one in coverage.json ("tokenizer")';
  assert.deepEqual(r.lines, [
    [1, 't1', why],
    [2, 't2', why],
  ]);
  assert.equal(r.err, `checkpoint-coverage runs: ${join(r.root, 'eval.jsonl')}: no valid sample in 2 lines; line 1: ${why}\n`);
  const text = await callCommand(runs, [r.root]);
  assert.match(text.out, /Eval set eval\.jsonl: cannot be used\n  2 bad lines \(not loaded\):\n    eval\.jsonl:1 \(id t1\): has text/);
});

test('a tokenizer.json that is not a tokenizer: exit 1 naming it and what was expected', async (t) => {
  const r = await listEval(t, fixture('eval/text-no-tokenizer.jsonl'), { 'tokenizer.json': '{"vocab": {}}' });
  assert.equal(r.code, 1);
  assert.equal(
    r.err,
    `checkpoint-coverage runs: ${join(r.root, 'tokenizer.json')}: expected a Hugging Face tokenizer.json (a JSON object with a "model")\n`,
  );
});

test('bytes that are not UTF-8 are named by line; a BOM and CRLF endings are fine', async (t) => {
  const r = await listEval(t, notUtf8Eval());
  assert.equal(r.code, 0, r.err);
  assert.equal(r.eval.samples, 2);
  assert.deepEqual(r.lines, [
    [2, null, 'not valid UTF-8'],
    [3, null, 'not valid UTF-8'],
    [4, null, 'not valid UTF-8'],
  ]);
});

test('a UTF-16 file: exit 1, and the first line says it is UTF-16', async (t) => {
  const r = await listEval(t, utf16Eval());
  assert.equal(r.code, 1);
  const why = 'not valid UTF-8: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8';
  assert.deepEqual(r.lines[0], [1, null, why]);
  assert.equal(r.err, `checkpoint-coverage runs: ${join(r.root, 'eval.jsonl')}: no valid sample in 3 lines; line 1: ${why}\n`);
});

test('a 100 MB line is measured and skipped; the lines around it load', async (t) => {
  const root = tempRun(t, {});
  const file = join(root, 'eval.jsonl');
  writeHugeLineEval(file);
  t.after(() => rmSync(file, { force: true }));
  assert.equal(statSync(file).size > 100 * 1024 * 1024, true);
  const r = await callCommand(runs, [root, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { eval: { samples: number; problems: Problem[] } };
  assert.equal(j.eval.samples, 2);
  assert.deepEqual(j.eval.problems, [
    { file: 'eval.jsonl', line: 2, message: 'line of 104857600 bytes is longer than the 67108864-byte limit; skipped' },
  ]);
  // The loader's own limit is a parameter; the same line under a 1 MiB limit reads alike.
  const small = await loadEvalSet(file, { maxLineBytes: 1 << 20 });
  assert.equal(small.problems[0].message, 'line of 104857600 bytes is longer than the 1048576-byte limit; skipped');
});
