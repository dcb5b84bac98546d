// One eval line with a token id beyond the models' vocabulary among a thousand good ones: the
// line is left out for every checkpoint (one denominator) and named, every checkpoint is
// reported, and the exit code is 0. The numbers are those of the eval set without that line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command as report } from '../../src/cli/report';
import { callCommand } from '../support/cli';
import { makeRun } from './faultsRun';
import { randomSamples } from './helpers';

interface ReportJson {
  evalSamples: number;
  tournamentSamples: number;
  warnings: string[];
  failed: unknown[];
  checkpoints: { step: number; samples: number; cePerToken: number }[];
}

const line = (s: { id?: string; promptIds: Iterable<number>; responseIds: Iterable<number> }) =>
  JSON.stringify({ id: s.id, prompt_ids: [...s.promptIds], response_ids: [...s.responseIds] });

test('one out-of-vocabulary line among 1,000: every checkpoint reported, the line named, exit 0', async (t) => {
  const root = makeRun(t, [100, 200, 300], 1);
  const good = randomSamples(1000, 9, 11);
  const lines = good.map(line);
  // Line 501: a token id far beyond the bigram models' vocabulary of 9.
  lines.splice(500, 0, line({ id: 'typo', promptIds: [1, 2], responseIds: [3, 70000, 4] }));
  writeFileSync(join(root, 'eval.jsonl'), lines.join('\n') + '\n');
  const r = await callCommand(report, [root, '--json', '--provider', 'cpu', '--reference', 'tournament']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as ReportJson;
  assert.deepEqual(json.failed, []);
  assert.deepEqual(
    json.checkpoints.map((c) => [c.step, c.samples]),
    [
      [100, 1000],
      [200, 1000],
      [300, 1000],
    ],
  );
  assert.equal(json.evalSamples, 1001);
  assert.equal(json.tournamentSamples, 1000);
  const why = "has token id 70000 (response token 1), outside the model's vocabulary of 9; skipped";
  assert.ok(
    json.warnings.includes(
      `1 of 1001 samples were skipped by some checkpoint and are left out for all of them: eval.jsonl:501 (id typo) ${why} (by 3 checkpoints)`,
    ),
    json.warnings.join('\n'),
  );
  // Each checkpoint says so on stderr as it skips it.
  for (const step of [100, 200, 300])
    assert.ok(r.err.includes(`warning: step-${step}/model.onnx: ${join(root, 'eval.jsonl')}:501 (id typo) ${why}\n`), r.err);

  // The same numbers as the eval set without that line.
  writeFileSync(join(root, 'eval.jsonl'), good.map(line).join('\n') + '\n');
  const clean = JSON.parse(
    (await callCommand(report, [root, '--json', '--provider', 'cpu', '--reference', 'tournament'])).out,
  ) as ReportJson;
  assert.deepEqual(
    json.checkpoints.map((c) => c.cePerToken),
    clean.checkpoints.map((c) => c.cePerToken),
  );
});
