// The eval loader: both line forms, every bad-line kind with its line number, text through a
// real tokenizer.json, the line-length limit, and the content hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvalSetError, evalSetHash, loadEvalSet } from '../../src/core/evalset';
import { loadTokenizer } from '../../src/core/tokenizer';
import { tinyTokenizerJson } from '../support/tokenizer';
import { tempDir } from '../support/temp';

function write(dir: string, name: string, body: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

test('token-id lines load with ids, ref_logprob and line numbers; blank lines are skipped', async (t) => {
  const dir = tempDir(t);
  const f = write(
    dir,
    'eval.jsonl',
    [
      '{"prompt_ids":[1,2],"response_ids":[3],"ref_logprob":-1.5,"id":"a"}',
      '',
      '{"prompt_ids":[],"response_ids":[0,2147483647],"id":7,"extra":"ignored"}\r',
      '   ',
    ].join('\n'),
  );
  const e = await loadEvalSet(f);
  assert.equal(e.file, f);
  assert.deepEqual(e.problems, []);
  assert.equal(e.samples.length, 2);
  assert.deepEqual(e.samples[0], {
    index: 0,
    line: 1,
    id: 'a',
    promptIds: Int32Array.from([1, 2]),
    responseIds: Int32Array.from([3]),
    refLogprob: -1.5,
  });
  assert.deepEqual(e.samples[1], {
    index: 1,
    line: 3,
    id: '7',
    promptIds: new Int32Array(0),
    responseIds: Int32Array.from([0, 2147483647]),
  });
  assert.match(e.hash, /^[0-9a-f]{64}$/);
});

test('every kind of bad line is reported with its line number; the good lines still load', async (t) => {
  const dir = tempDir(t);
  const good = '{"prompt_ids":[1],"response_ids":[2]}';
  const lines: [string | Buffer, RegExp | undefined][] = [
    [good, undefined],
    ['{"prompt_ids":[1],"response_ids":[2]', /not valid JSON/],
    ['[1,2]', /expected a JSON object, found an array/],
    ['null', /expected a JSON object, found null/],
    [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/],
    ['{"prompt_ids":[1,-2],"response_ids":[2]}', /"prompt_ids"\[1\] is -2; expected a non-negative integer token id/],
    ['{"prompt_ids":[1],"response_ids":[2.5]}', /"response_ids"\[0\] is 2\.5; expected a non-negative integer/],
    ['{"prompt_ids":[1],"response_ids":["3"]}', /"response_ids"\[0\] is "3"/],
    ['{"prompt_ids":[1],"response_ids":[2147483648]}', /"response_ids"\[0\] is 2147483648/],
    ['{"prompt_ids":"1 2","response_ids":[2]}', /"prompt_ids" must be an array of token ids, found "1 2"/],
    ['{"prompt_ids":[1],"response_ids":[]}', /"response_ids" is empty/],
    ['{"prompt_ids":[1]}', /missing "response_ids"/],
    ['{"response":"x"}', /missing "prompt"/],
    ['{"prompt":1,"response":"x"}', /"prompt" must be a string, found 1/],
    ['{"prompt_ids":[1],"response_ids":[2],"ref_logprob":1e999}', /"ref_logprob" must be a finite number, found Infinity/],
    ['{"prompt_ids":[1],"response_ids":[2],"ref_logprob":"-1"}', /"ref_logprob" must be a finite number, found "-1"/],
    ['{"prompt_ids":[1],"response_ids":[2],"ref_logprob":0.25}', /"ref_logprob" is 0\.25; a natural-log probability is at most 0/],
    ['{"prompt_ids":[1],"response_ids":[2],"id":true}', /"id" must be a string or a number, found a boolean/],
    ['{"prompt":"a","response":"b"}', /has text \(prompt\/response\) but no tokenizer/],
    ['{"prompt":"a","response":"b","prompt_ids":[1],"response_ids":[2]}', /mixes token ids .* with text/],
    ['{"id":"lonely"}', /expected "prompt_ids" \+ "response_ids" \(token ids\) or "prompt" \+ "response" \(text\)/],
    [good, undefined],
  ];
  const body = Buffer.concat(lines.flatMap(([l]) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
  const f = write(dir, 'bad.jsonl', body);
  const e = await loadEvalSet(f);
  assert.deepEqual(
    e.samples.map((s) => s.line),
    [1, lines.length],
  );
  assert.deepEqual(
    e.samples.map((s) => s.index),
    [0, 1],
  );
  const expected = lines.map(([, re], i) => [i + 1, re] as const).filter(([, re]) => re !== undefined);
  assert.equal(e.problems.length, expected.length);
  expected.forEach(([line, re], k) => {
    const p = e.problems[k];
    assert.equal(p.line, line);
    assert.equal(p.file, f);
    assert.match(p.message, re as RegExp, `line ${line}: ${p.message}`);
  });
  assert.equal(e.problems.find((p) => p.line === 21)?.subject, 'lonely', 'the id names the sample when the line has one');
});

test('a line over the limit is reported by size and skipped, the next line still loads', async (t) => {
  const dir = tempDir(t);
  const big = `{"prompt_ids":[${'1,'.repeat(5000)}1],"response_ids":[2]}`;
  const f = write(dir, 'long.jsonl', `${big}\n{"prompt_ids":[1],"response_ids":[2]}\n${big}`);
  const e = await loadEvalSet(f, { maxLineBytes: 1000 });
  assert.deepEqual(
    e.samples.map((s) => s.line),
    [2],
  );
  assert.deepEqual(
    e.problems.map((p) => [p.line, p.message]),
    [
      [1, `line of ${big.length} bytes is longer than the 1000-byte limit; skipped`],
      [3, `line of ${big.length} bytes is longer than the 1000-byte limit; skipped`],
    ],
  );
  // The same file with the default limit loads all three.
  assert.equal((await loadEvalSet(f)).samples.length, 3);
});

test('text lines go through a real tokenizer.json, prompt and response separately, no special tokens', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson()));
  const tokenizer = await loadTokenizer(join(dir, 'tokenizer.json'));
  const f = write(
    dir,
    'eval.jsonl',
    ['{"prompt":"hello","response":"world","ref_logprob":-3}', '{"prompt":"","response":""}', '{"prompt":"he","response":"hell o"}'].join(
      '\n',
    ),
  );
  const e = await loadEvalSet(f, { tokenizer });
  assert.equal(e.samples.length, 2);
  assert.deepEqual(e.samples[0].promptIds, Int32Array.from([9]));
  assert.deepEqual(e.samples[0].responseIds, Int32Array.from([10, 5, 11, 4, 12]));
  assert.equal(e.samples[0].prompt, 'hello');
  assert.equal(e.samples[0].response, 'world');
  assert.deepEqual(e.samples[1].responseIds, Int32Array.from([8, 5]));
  assert.deepEqual(
    e.problems.map((p) => [p.line, p.message]),
    [[2, '"response" gives no tokens; expected at least one']],
  );
  // Text that tokenizes to given ids hashes like those ids.
  const g = write(
    dir,
    'ids.jsonl',
    '{"prompt_ids":[9],"response_ids":[10,5,11,4,12]}\n{"prompt_ids":[6],"response_ids":[8,5],"ref_logprob":-1}',
  );
  assert.equal((await loadEvalSet(g)).hash, e.hash);
});

test('the hash follows token ids and their order, and only them', () => {
  const s = (p: number[], r: number[], extra: object = {}) => ({
    index: 0,
    line: 1,
    promptIds: Int32Array.from(p),
    responseIds: Int32Array.from(r),
    ...extra,
  });
  const base = evalSetHash([s([1], [2, 3]), s([4], [5])]);
  assert.equal(evalSetHash([s([1], [2, 3], { refLogprob: -2, line: 9 }), s([4], [5], { id: 'x' })]), base);
  assert.notEqual(evalSetHash([s([4], [5]), s([1], [2, 3])]), base);
  // The boundary between prompt and response matters, not just the concatenation.
  assert.notEqual(evalSetHash([s([1, 2], [3]), s([4], [5])]), base);
  assert.notEqual(evalSetHash([s([1], [2, 3])]), base);
});

test('an empty file, a file of bad lines, a missing file and a folder are errors naming the file', async (t) => {
  const dir = tempDir(t);
  const empty = write(dir, 'empty.jsonl', '\n\n');
  await assert.rejects(
    loadEvalSet(empty),
    (e: unknown) => e instanceof EvalSetError && e.message === `${empty}: the eval set is empty; expected one JSON object per line`,
  );
  const bad = write(dir, 'bad.jsonl', '{}\nnope\n');
  await assert.rejects(
    loadEvalSet(bad),
    (e: unknown) =>
      e instanceof EvalSetError &&
      e.problems.length === 2 &&
      e.message.startsWith(`${bad}: no valid sample in 2 lines; line 1: expected "prompt_ids"`),
  );
  await assert.rejects(loadEvalSet(join(dir, 'none.jsonl')), /none\.jsonl: cannot read the eval set \(ENOENT\)/);
  await assert.rejects(loadEvalSet(dir), /expected an eval file \(JSON lines\), found a folder/);
});

test('lines that straddle stream chunks load whole, and an oversized line spanning chunks is skipped', async (t) => {
  const dir = tempDir(t);
  const line = (i: number) =>
    `{"id":${i},"prompt_ids":[${Array.from({ length: 120 }, (_, k) => (i + k) % 1000).join(',')}],"response_ids":[${i}]}`;
  const n = 4000; // ≈ 2 MB, so lines cross the 1 MiB read chunks
  const huge = `{"prompt_ids":[${'7,'.repeat(1_300_000)}7],"response_ids":[1]}`;
  const f = write(dir, 'big.jsonl', [...Array.from({ length: n }, (_, i) => line(i)), huge, line(n)].join('\n') + '\n');
  const e = await loadEvalSet(f, { maxLineBytes: 1 << 20 });
  assert.equal(e.samples.length, n + 1);
  assert.deepEqual(
    e.problems.map((p) => p.line),
    [n + 1],
  );
  for (const i of [0, 1234, 2047, n - 1]) {
    assert.equal(e.samples[i].id, String(i));
    assert.equal(e.samples[i].promptIds[119], (i + 119) % 1000);
  }
  assert.equal(e.samples[n].line, n + 2);
});
