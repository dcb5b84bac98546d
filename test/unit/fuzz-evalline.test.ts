// Fuzzing the eval-line parser: any text gives a sample or a reason, never a throw; and for
// lines built from valid and invalid parts, an independent statement of the contract
// (README.md) says which must load, and the reason names the offending key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEvalLine } from '../../src/core/evalset';
import type { TextTokenizer } from '../../src/core/tokenizer';
import { fuzzParams } from '../support/fuzz';

/** Code points mod 50, one per character: enough to exercise the text path. */
const charTokenizer: TextTokenizer = {
  file: 'fake.json',
  encode: (s) => Int32Array.from([...s].map((c) => c.codePointAt(0)! % 50)),
  decode: (ids) => Array.from(ids, (i) => String.fromCharCode(97 + (i % 26))).join(''),
  idToToken: (id) => String(id),
};

test('any text: a sample that keeps the contract, or a non-empty reason; never a throw', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.json({ maxDepth: 3 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );
  fc.assert(
    fc.property(text, fc.boolean(), (line, withTokenizer) => {
      const r = parseEvalLine(line, withTokenizer ? charTokenizer : undefined);
      if ('error' in r) {
        assert.equal(typeof r.error, 'string');
        assert.ok(r.error.length > 0);
        return;
      }
      const s = r.sample;
      assert.ok(s.promptIds instanceof Int32Array && s.responseIds instanceof Int32Array);
      assert.ok(s.responseIds.length >= 1);
      for (const id of [...s.promptIds, ...s.responseIds]) assert.ok(id >= 0);
      if (s.refLogprob !== undefined) assert.ok(Number.isFinite(s.refLogprob) && s.refLogprob <= 0);
    }),
    fuzzParams(1500, 'eval line, any text'),
  );
});

// Parts of a line, each tagged with whether the contract accepts it.
type Part<T> = { value: T | undefined; ok: boolean };
const MAX_ID = 2 ** 31 - 1;
const goodIds = fc.array(fc.integer({ min: 0, max: MAX_ID }), { maxLength: 6 });
const badId = fc.oneof(
  fc.integer({ min: -1000, max: -1 }),
  fc.double({ min: 0.01, max: 1e6, noInteger: true, noNaN: true }),
  fc.constant(MAX_ID + 1),
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.boolean(),
);
const ids = (nonEmpty: boolean): fc.Arbitrary<Part<unknown>> =>
  fc.oneof(
    goodIds.map((v) => ({ value: v, ok: !nonEmpty || v.length > 0 })),
    fc.tuple(goodIds, badId, fc.nat()).map(([v, b, at]) => {
      const w: unknown[] = [...v];
      w.splice(at % (v.length + 1), 0, b);
      return { value: w, ok: false };
    }),
    fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null), fc.constant({})).map((v) => ({ value: v, ok: false })),
    fc.constant({ value: undefined, ok: false }),
  );
const INF = '"\u0000inf\u0000"';
const ref: fc.Arbitrary<Part<unknown>> = fc.oneof(
  fc.constant({ value: undefined, ok: true }),
  fc.double({ min: -1e6, max: 0, noNaN: true }).map((v) => ({ value: v, ok: true })),
  fc.double({ min: 1e-9, max: 1e6, noNaN: true }).map((v) => ({ value: v, ok: false })),
  // Infinity has no JSON form; 1e999 is the text that parses to it.
  fc.constantFrom(INF, `-${INF}`).map((v) => ({ value: v, ok: false })),
  fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean()).map((v) => ({ value: v, ok: false })),
);
const idPart: fc.Arbitrary<Part<unknown>> = fc.oneof(
  fc.constant({ value: undefined, ok: true }),
  fc.oneof(fc.string({ maxLength: 6 }), fc.integer()).map((v) => ({ value: v, ok: true })),
  fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 2 })).map((v) => ({ value: v, ok: false })),
);

test('id lines: loads exactly when every part is valid; the ids come through; the reason names the key', () => {
  fc.assert(
    fc.property(ids(false), ids(true), ref, idPart, (p, r, lp, id) => {
      const o: Record<string, unknown> = {};
      if (id.value !== undefined) o.id = id.value;
      if (p.value !== undefined) o.prompt_ids = p.value;
      if (r.value !== undefined) o.response_ids = r.value;
      if (lp.value !== undefined) o.ref_logprob = lp.value;
      const line = JSON.stringify(o)
        .replaceAll(`"-${INF.slice(1)}`, '-1e999')
        .replaceAll(INF, '1e999');
      const res = parseEvalLine(line);
      const valid = p.ok && r.ok && lp.ok && id.ok;
      if (valid) {
        assert.ok('sample' in res, `${line}: ${'error' in res ? res.error : ''}`);
        assert.deepEqual([...res.sample.promptIds], p.value);
        assert.deepEqual([...res.sample.responseIds], r.value);
        assert.equal(res.sample.refLogprob, typeof lp.value === 'number' ? lp.value : undefined);
        return;
      }
      assert.ok('error' in res, `${line} loaded`);
      // The first bad part in the parser's order is the one named: id, ref_logprob, a missing
      // array, then the arrays' contents.
      const key = !id.ok
        ? '"id"'
        : !lp.ok
          ? '"ref_logprob"'
          : p.value === undefined
            ? 'prompt_ids'
            : r.value === undefined
              ? 'response_ids'
              : !p.ok
                ? 'prompt_ids'
                : 'response_ids';
      assert.ok(res.error.includes(key), `${line}: "${res.error}" should name ${key}`);
      if (id.ok && typeof id.value === 'string') assert.equal(res.id, id.value);
    }),
    fuzzParams(2000, 'eval line, structured'),
  );
});
