// `checkpoint-coverage demo [dir]`: writes the synthetic demo run, then shows it.
import { resolve } from 'node:path';
import { createDemoRun, DEMO_SAMPLES } from '../core/demo/run';
import { DEFAULT_SETTLE_MS } from '../core/layout';
import { parseCommandArgs, UsageError, type CliIO, type Command } from './args';

const usage = `Usage: checkpoint-coverage demo [dir] [--samples N] [--seed N]

Writes a synthetic pre-training run to dir (default demo-run): eval.jsonl from a known bigram
chain with its exact ref_logprob, coverage.json, and 13 ONNX bigram checkpoints whose
cross-entropy keeps falling while late ones lose coverage of rare continuations
(docs/demo.md). Re-running replaces a previous demo run; any other non-empty folder is refused.
`;

function positiveInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return x;
}

export const command: Command = {
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { samples: { type: 'string' }, seed: { type: 'string' } },
      { min: 0, max: 1, names: 'dir' },
    );
    const dir = resolve(io.cwd, positionals[0] ?? 'demo-run');
    const t0 = Date.now();
    const run = createDemoRun(dir, {
      samples: positiveInt(values.samples, 'samples', DEMO_SAMPLES),
      seed: values.seed === undefined ? undefined : positiveInt(values.seed, 'seed', 0),
    });
    io.err(`demo: wrote ${run.checkpoints.length} checkpoints and ${run.samples.length} eval samples to ${dir} in ${Date.now() - t0} ms\n`);
    // The run contract treats files changed within the settle time as still being written
    // (ctime included, which cannot be back-dated): wait it out so the run shows complete.
    await new Promise((r) => setTimeout(r, DEFAULT_SETTLE_MS + 200));
    // Until the report command is wired here, the run is shown with the listing command.
    const { command: show } = await import('./runs.js');
    return show.run([dir], io);
  },
};
