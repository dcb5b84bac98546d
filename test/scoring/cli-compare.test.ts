// `report <run> <run> …`: one run's checkpoints split into two run folders give the single run's
// suggestion and tournament scores across them; runs with different eval sets get no comparison,
// the reason, their own reports and exit 0; --all-nested names a sweep's runs; text and CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/cli/args';
import { parseReportArgs } from '../../src/cli/report';
import { bigramModel, type BuiltModel } from '../../src/core/onnx/models';
import { report, reportJson, writeRun, type EvalLine, type ReportJson } from './cli-report.fixture';
import { lcg } from './helpers';
import { tempDir } from '../support/temp';

const VOCAB = 5;

function evalLines(seed: number, n = 60): EvalLine[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => ({
    prompt: [Math.floor(r() * VOCAB)],
    response: Array.from({ length: 2 + Math.floor(r() * 5) }, () => Math.floor(r() * VOCAB)),
    ref: -3 * Math.log(VOCAB) + (r() - 0.5),
  }));
}

/** Bigram checkpoints that drift apart, so the tournament has something to decide. */
function models(steps: number[]): Record<number, BuiltModel> {
  const r = lcg(11);
  const base = Array.from({ length: VOCAB * VOCAB }, () => r() * 2);
  return Object.fromEntries(
    steps.map((s, k) => [s, bigramModel({ table: Float32Array.from(base, (v) => v * (1 + k) + r() * 3), vocab: VOCAB })]),
  );
}

interface RunsJson {
  runs: (ReportJson & { run: string })[];
  across: Across | null;
  acrossError?: string;
}
interface Across {
  selectionN: number;
  dev: number | null;
  resolved: boolean;
  suggested: { run: string; step: number; path: string } | null;
  minCrossEntropy: { run: string; step: number; path: string } | null;
  verdict: string;
  checkpoints: {
    run: string;
    step: number;
    path: string;
    cePerToken: number;
    tournamentScore: number;
    rivalRun: string | null;
    rivalStep: number | null;
  }[];
}

/** writeRun into a new folder. */
function newRun(dir: string, o: Parameters<typeof writeRun>[1]): void {
  mkdirSync(dir, { recursive: true });
  writeRun(dir, o);
}

const STEPS = [100, 200, 300, 400, 500];
const all = models(STEPS);
const pick = (steps: number[]) => Object.fromEntries(steps.map((s) => [s, all[s]]));

test('one run split into two run folders: the same suggestion and tournament scores across them', async (t) => {
  const dir = tempDir(t);
  const lines = evalLines(5);
  newRun(join(dir, 'whole'), { lines, models: all, coverage: { selectionN: 4 } });
  newRun(join(dir, 'sweep', 'a'), { lines, models: pick([100, 300, 500]), coverage: { selectionN: 4 } });
  newRun(join(dir, 'sweep', 'b'), { lines, models: pick([200, 400]), coverage: { selectionN: 4 } });

  const { json: whole } = await reportJson(['whole'], dir);
  const got = await report(['sweep/a', 'sweep/b', '--json'], dir);
  assert.equal(got.code, 0, got.err);
  const json = JSON.parse(got.out) as RunsJson;
  assert.deepEqual(Object.keys(json), ['runs', 'across']);
  const across = json.across!;
  assert.equal(across.suggested!.step, whole.suggested!.step);
  assert.equal(across.suggested!.run, [100, 300, 500].includes(whole.suggested!.step) ? 'sweep/a' : 'sweep/b');
  assert.equal(across.minCrossEntropy!.step, whole.minCrossEntropy!.step);
  assert.equal(across.dev, whole.dev);
  for (const c of whole.checkpoints) {
    const x = across.checkpoints.find((y) => y.step === c.step)!;
    assert.equal(x.tournamentScore, c.tournamentScore, `step ${c.step}`);
    assert.equal(x.rivalStep, c.rivalStep, `step ${c.step}: rival`);
  }
  assert.match(across.verdict, /comparable across runs/, 'both runs use the generator reference');

  // Each run's report is the one `report <run>` prints, with the run's name added.
  assert.deepEqual(
    json.runs.map((r) => r.run),
    ['sweep/a', 'sweep/b'],
  );
  for (const r of json.runs) {
    const { json: alone } = await reportJson([r.run], dir);
    const { run: _name, ...rest } = r;
    assert.deepEqual(rest, alone);
  }

  // --all-nested names the sweep's runs, the same comparison.
  const nested = await report(['sweep', '--all-nested', '--json'], dir);
  assert.equal(nested.code, 0, nested.err);
  const nestedJson = JSON.parse(nested.out) as RunsJson;
  assert.deepEqual(
    nestedJson.runs.map((r) => r.run),
    ['sweep/a', 'sweep/b'],
  );
  assert.deepEqual(nestedJson.across, across);

  // CSV: one row per checkpoint of every run, the run first, the comparison's columns last.
  const csv = await report(['sweep/a', 'sweep/b', '--csv'], dir);
  const [head, ...rows] = csv.out
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
  assert.equal(head[0], 'run');
  assert.deepEqual(head.slice(-5), ['across_score', 'across_rival_run', 'across_rival_step', 'across_suggested', 'across_lowest_ce']);
  assert.equal(rows.length, STEPS.length);
  const col = (name: string) => head.indexOf(name);
  assert.deepEqual(
    rows.filter((r) => r[col('across_suggested')] === '1').map((r) => [r[0], Number(r[col('step')])]),
    [[across.suggested!.run, across.suggested!.step]],
  );
  for (const r of rows)
    assert.equal(Number(r[col('across_score')]), across.checkpoints.find((c) => c.step === Number(r[col('step')]))!.tournamentScore);

  // Text: each run's table under its name, then the table across runs and its verdict.
  const text = await report(['sweep/a', 'sweep/b'], dir);
  assert.match(text.out, /^== run sweep\/a ==\n/);
  assert.match(text.out, /\n== run sweep\/b ==\n/);
  assert.match(
    text.out,
    /\n== across 2 runs ==\nselection N = 4 · dev = [\d.]+ · 5 checkpoints in one tournament\nrun {6}step {2}CE\/token {2}score@4 {8}rival\nsweep\/a {3}100 /,
  );
  assert.ok(text.out.trimEnd().endsWith(across.verdict), text.out);
});

test('runs with different eval sets: across is null with the reason, each report prints, exit 0', async (t) => {
  const dir = tempDir(t);
  newRun(join(dir, 'a'), { lines: evalLines(5), models: pick([100, 200]) });
  newRun(join(dir, 'b'), { lines: evalLines(6), models: pick([300]) });
  const got = await report(['a', 'b', '--json'], dir);
  assert.equal(got.code, 0, got.err);
  const json = JSON.parse(got.out) as RunsJson;
  assert.equal(json.across, null);
  assert.equal(
    json.acrossError,
    'the eval sets differ (by the hash of their token ids): run a use one eval set, run b another; one tournament across runs needs one eval set, so each run is reported on its own',
  );
  assert.deepEqual(
    json.runs.map((r) => [r.run, r.checkpoints.length]),
    [
      ['a', 2],
      ['b', 1],
    ],
  );
  assert.match(got.err, /warning: no comparison across runs: the eval sets differ/);
  const text = await report(['a', 'b'], dir);
  assert.equal(text.code, 0);
  assert.match(text.out, /== across 2 runs ==\nNo comparison across runs: the eval sets differ .* on its own\.\n$/);
});

test('a run that cannot be read fails the command before anything is scored, naming it', async (t) => {
  const dir = tempDir(t);
  newRun(join(dir, 'a'), { lines: evalLines(5), models: pick([100]) });
  const got = await report(['a', 'missing', '--json'], dir);
  assert.equal(got.code, 1);
  assert.equal(got.out, '');
  assert.match(got.err, /missing: cannot read the run folder \(ENOENT\)/);
  assert.doesNotMatch(got.err, /checkpoint\(s\)/, 'nothing scored');
  await assert.rejects(
    report(['a', '--all-nested'], dir),
    /^Error: a: no nested runs \(subfolders with their own coverage\.json or eval\.jsonl\) to report$/,
  );
});

test('arguments: several runs, --all-nested with one folder, no folder twice', () => {
  assert.deepEqual(parseReportArgs(['a', 'b', 'c', '--json'], '/w').runs, ['a', 'b', 'c']);
  assert.equal(parseReportArgs(['sweep', '--all-nested'], '/w').allNested, true);
  assert.throws(() => parseReportArgs(['a', 'b', '--all-nested'], '/w'), UsageError);
  assert.throws(() => parseReportArgs(['a', './a/'], '/w'), /the run folder \.\/a\/ is given twice \(as a\)/);
});
