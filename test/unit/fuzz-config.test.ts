// Fuzzing the coverage.json validator: any JSON value, and objects mixing real keys with
// good and bad values, give either settings that keep the documented invariants or a
// ConfigError naming the file and every offending key; never another failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, validateConfig } from '../../src/core/runConfig';
import { runRelative } from '../../src/core/paths';
import { fuzzParams } from '../support/fuzz';
import { tempDir } from '../support/temp';

const KEYS = ['eval', 'tokenizer', 'reference', 'nGrid', 'selectionN', 'tokensPerStep', 'store'];

const path = fc.oneof(
  fc.constantFrom('eval.jsonl', 'a/b.jsonl', '../x', '/abs/y', '', ' ', './.coverage', 'a/../../z'),
  fc.string({ maxLength: 8 }),
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  path,
  fc.double(),
  fc.array(fc.double({ min: -2, max: 1e3 }), { maxLength: 4 }),
  fc.constantFrom('generator', 'point-mass', 'tournament', 'best'),
  fc.record({ model: path }, { requiredKeys: [] }),
  fc.record({ model: fc.constant('r.onnx'), extra: fc.nat() }),
);
const settings = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), value, { maxKeys: 5 });

test('any coverage.json: settings that keep the invariants, or a ConfigError naming the file and keys', async (t) => {
  const root = tempDir(t);
  const file = join(root, 'coverage.json');
  let accepted = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.oneof(settings, fc.jsonValue({ maxDepth: 2 })), async (raw) => {
      let config;
      try {
        config = await validateConfig(raw, root, file);
        accepted++;
      } catch (e) {
        refused++;
        assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
        assert.ok(e.message.startsWith(`${file}: `), e.message);
        assert.ok(e.problems.length > 0);
        if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
          // Every unknown key is among the problems, named as it was written.
          for (const k of Object.keys(raw)) {
            if (!KEYS.includes(k))
              assert.ok(
                e.problems.some((p) => p.subject === k),
                `unknown key ${JSON.stringify(k)} not named`,
              );
          }
          for (const p of e.problems) assert.ok(p.message.startsWith(`"${p.subject}" `), p.message);
        }
        return;
      }
      assert.ok(typeof raw === 'object' && raw !== null && !Array.isArray(raw));
      for (const k of Object.keys(raw)) assert.ok(KEYS.includes(k), `unknown key ${k} accepted`);
      for (const p of [config.eval, config.store, config.tokenizer].filter((x) => x !== undefined)) {
        assert.notEqual(runRelative(root, p!), undefined, `${p} escapes the run`);
      }
      assert.ok(
        config.nGrid.length > 0 && config.nGrid.every((n, i) => n >= 1 && Number.isFinite(n) && (i === 0 || n > config.nGrid[i - 1])),
      );
      assert.ok(Number.isFinite(config.selectionN) && config.selectionN > 1);
      if (config.tokensPerStep !== undefined) assert.ok(config.tokensPerStep > 0);
      const ref = config.reference;
      assert.ok(
        ref === undefined ||
          ['generator', 'point-mass', 'tournament'].includes(ref as string) ||
          (typeof ref === 'object' && /\.onnx$/i.test(ref.model)),
      );
    }),
    fuzzParams(1500, 'coverage.json'),
  );
  // Both branches ran: the invariants of an accepted config were checked, not only the errors.
  assert.ok(accepted > 0 && refused > 0, `${accepted} accepted, ${refused} refused`);
});
