// `checkpoint-coverage demo [dir]`: writes the synthetic demo run, then shows it.
import { resolve } from 'node:path';
import { createDemoRun, DEMO_CHECKPOINT_SEED, DEMO_SAMPLES, DEMO_SEED } from '../core/demo/run';
import type { CoverageReport, ReportCheckpoint, StepPath } from '../core/report';
import { parseCommandArgs, UsageError, type CliIO, type Command } from './args';
import { runReport } from './report';

const usage = `Usage: checkpoint-coverage demo [dir] [--samples N] [--seed N] [--checkpoint-seed N] [--lr F]

Writes a synthetic pre-training run to dir (default demo-run): eval.jsonl from a known bigram
chain with its exact ref_logprob, coverage.json, and 13 ONNX bigram checkpoints whose
cross-entropy keeps falling while late ones lose coverage of rare continuations
(README.md), then scores them and prints the coverage report (as 'report' does).
Re-running replaces a previous demo run but keeps its stored scores, which stay valid because the
models are the same bytes every time; any other non-empty folder is refused.

  --samples N           eval samples (default ${DEMO_SAMPLES})
  --seed N              seeds the eval samples (default ${DEMO_SEED})
  --checkpoint-seed N   seeds the checkpoints' logit noise (default ${DEMO_CHECKPOINT_SEED}); the eval
                        set does not change, so demo runs that differ only here compare as a sweep
  --lr F                trains at F times the demo's learning rate (default 1): at each step the run is
                        as far along as the demo run at F times that step; the eval set does not change

A sweep of three learning rates, compared:
  checkpoint-coverage demo sweep/lr-0.8 --lr 0.8; checkpoint-coverage demo sweep/lr-1
  checkpoint-coverage demo sweep/lr-1.25 --lr 1.25; checkpoint-coverage report sweep --all-nested
`;

function positiveInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return x;
}

function positiveNumber(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x <= 0) throw new UsageError(`--${name} must be a number > 0, got '${v}'`);
  return x;
}

export const command: Command = {
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { samples: { type: 'string' }, seed: { type: 'string' }, 'checkpoint-seed': { type: 'string' }, lr: { type: 'string' } },
      { min: 0, max: 1, names: 'dir' },
    );
    const dir = resolve(io.cwd, positionals[0] ?? 'demo-run');
    const t0 = Date.now();
    const run = createDemoRun(dir, {
      samples: positiveInt(values.samples, 'samples', DEMO_SAMPLES),
      seed: values.seed === undefined ? undefined : positiveInt(values.seed, 'seed', 0),
      checkpointSeed: positiveInt(values['checkpoint-seed'], 'checkpoint-seed', DEMO_CHECKPOINT_SEED),
      lr: positiveNumber(values.lr, 'lr', 1),
    });
    io.err(`demo: wrote ${run.checkpoints.length} checkpoints and ${run.samples.length} eval samples to ${dir} in ${Date.now() - t0} ms\n`);
    // This command wrote every file and is done with them, so none is still being written:
    // the report need not wait out the run contract's settle time.
    const { code, report } = await runReport([dir], io, { settleMs: 0 });
    if (report) io.out(demoPoint(report));
    return code;
  },
};

/** The demo's finding in one sentence, from the report's own numbers (generator reference). */
function demoPoint(r: CoverageReport): string {
  const N = String(r.selectionN);
  const row = (p: StepPath | null) => r.checkpoints.find((c) => c.path === p?.path);
  const s = row(r.suggested);
  const m = row(r.minCrossEntropy);
  if (!s || !m) return '';
  if (!r.differs)
    return `\nDemo: the suggested and the lowest-cross-entropy checkpoint are the same (step ${s.step}); the demo expected them to differ.\n`;
  const cov = (c: ReportCheckpoint) => c.coverage[N]?.toFixed(4) ?? '—';
  const ce = (c: ReportCheckpoint) => (typeof c.cePerToken === 'number' ? c.cePerToken.toFixed(4) : String(c.cePerToken));
  const better = (s.coverage[N] ?? NaN) < (m.coverage[N] ?? NaN);
  return (
    `\nDemo: the tournament, which never reads ref_logprob, suggests step ${s.step}, not the lowest-cross-entropy ` +
    `step ${m.step} (CE ${ce(s)} vs ${ce(m)} nats/token). By the ${r.referenceLabel}'s exact figures step ${s.step} ` +
    `${better ? 'covers better' : 'does not cover better'}: ${r.coverageRelativeTo ? 'rCov' : 'Cov'}@${N} = ${cov(s)} vs ${cov(m)} (lower is better).\n`
  );
}
