// `checkpoint-coverage runs <dir>`: what a run folder holds, as the scorer will see it.
// Exit 0 when the run can be scored; 1 when its settings or eval set cannot be used (the
// listing is still printed, the reason goes to stderr).
import { resolve } from 'node:path';
import type { ReferenceSetting } from '../core/metrics';
import { modelLabel } from '../core/layout';
import { runRelative } from '../core/paths';
import { formatProblem } from '../core/problems';
import { elsewhereText } from '../shared/stateText';
import { summarizeRun, type RunSummary } from '../run/summary';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, type Command } from './args';

export type { RunSummary } from '../run/summary';

export const command: Command = {
  usage: `Usage: checkpoint-coverage runs <dir> [--json] [--allow-outside]

Lists what the run folder holds: checkpoints (step, size, format and model_type, path;
same-step and duplicate flags), files still being written, nested runs, the eval set and the
settings from coverage.json.
  --json           one JSON object on stdout instead of text
  --allow-outside  let coverage.json name paths outside the run folder
Exit codes: 0 ok, 1 the run cannot be scored as it is (reason on stderr), 2 usage error.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        json: { type: 'boolean' },
        'allow-outside': { type: 'boolean' },
      },
      { min: 1, max: 1, names: 'the run folder <dir>' },
    );
    const s = await summarizeRun(resolve(io.cwd, positionals[0]), { allowOutside: values['allow-outside'] });
    io.out(values.json ? JSON.stringify(toJson(s), null, 2) + '\n' : toText(s));
    if ('error' in s.eval) {
      io.err(`checkpoint-coverage runs: ${s.eval.error}\n`);
      return EXIT_FAILURE;
    }
    return EXIT_OK;
  },
};

function toJson(s: RunSummary): object {
  const rel = (p: string): string => show(s.layout.root, p);
  const c = s.config;
  return {
    root: s.layout.root,
    config: {
      file: c.file === undefined ? null : rel(c.file),
      eval: rel(c.eval),
      tokenizer: c.tokenizer === undefined ? null : rel(c.tokenizer),
      store: rel(c.store),
      reference: c.reference === undefined ? null : refText(s.layout.root, c.reference),
      nGrid: c.nGrid,
      selectionN: c.selectionN,
      tokensPerStep: c.tokensPerStep ?? null,
    },
    checkpoints: s.layout.checkpoints.map((k) => ({
      step: k.step,
      path: k.path,
      format: k.format ?? 'onnx',
      modelType: k.modelType ?? null,
      bytes: k.bytes ?? null,
      dataFiles: k.dataPaths.map(rel),
      sameStep: k.sameStep,
      duplicateOf: k.duplicateOf ?? null,
      scoringElsewhere: s.elsewhere.get(k.path) ?? null,
    })),
    pending: s.layout.pending,
    nestedRuns: s.layout.nestedRuns,
    problems: s.layout.problems,
    eval:
      'error' in s.eval
        ? { file: rel(s.eval.file), error: s.eval.error, problems: s.eval.problems.map((p) => ({ ...p, file: rel(p.file) })) }
        : {
            ...s.eval,
            file: rel(s.eval.file),
            reference: refText(s.layout.root, s.eval.reference),
            problems: s.eval.problems.map((p) => ({ ...p, file: rel(p.file) })),
          },
  };
}

const SHOWN_PROBLEMS = 10;

function toText(s: RunSummary): string {
  const root = s.layout.root;
  const rel = (p: string): string => show(root, p);
  const c = s.config;
  const lines: string[] = [`Run ${root}`, '', `Settings (${c.file ? rel(c.file) : 'defaults; no coverage.json'}):`];
  const grid =
    c.nGrid.length > 6
      ? `${c.nGrid.slice(0, 4).join(', ')}, …, ${c.nGrid[c.nGrid.length - 1]} (${c.nGrid.length} values)`
      : c.nGrid.join(', ');
  const reference =
    c.reference !== undefined
      ? refText(root, c.reference)
      : 'error' in s.eval
        ? 'from the eval set (generator if every sample has ref_logprob, else tournament)'
        : `${refText(root, s.eval.reference)} (chosen from the eval set)`;
  for (const [k, v] of [
    ['eval', rel(c.eval)],
    ['tokenizer', c.tokenizer ? rel(c.tokenizer) : 'none'],
    ['reference', reference],
    ['nGrid', grid],
    ['selectionN', String(c.selectionN)],
    ['tokensPerStep', c.tokensPerStep === undefined ? 'not set' : String(c.tokensPerStep)],
    ['store', rel(c.store)],
  ])
    lines.push(`  ${k.padEnd(14)}${v}`);

  const cps = s.layout.checkpoints;
  lines.push('', `Checkpoints: ${cps.length}`);
  if (cps.length > 0) {
    const stepW = Math.max(4, ...cps.map((k) => String(k.step).length));
    const pathW = Math.max(4, ...cps.map((k) => k.path.length));
    const modelW = Math.max(5, ...cps.map((k) => modelLabel(k).length));
    lines.push(`  ${'step'.padStart(stepW)}  ${'size'.padStart(9)}  ${'model'.padEnd(modelW)}  ${'path'.padEnd(pathW)}  flags`);
    for (const k of cps) {
      const flags = [
        ...(k.sameStep.length ? [`same step as ${k.sameStep.join(', ')}`] : []),
        ...(k.duplicateOf ? [`duplicate of ${k.duplicateOf}`] : []),
        ...[s.elsewhere.get(k.path)].flatMap((h) => (h ? [elsewhereText(h)] : [])),
      ].join('; ');
      lines.push(
        `  ${String(k.step).padStart(stepW)}  ${bytes(k.bytes).padStart(9)}  ${modelLabel(k).padEnd(modelW)}  ${k.path.padEnd(pathW)}  ${flags}`.trimEnd(),
      );
    }
  }
  if (s.layout.pending.length)
    lines.push('', `Pending (still being written): ${s.layout.pending.length}`, ...s.layout.pending.map((p) => `  ${p}`));
  if (s.layout.nestedRuns.length) lines.push('', `Nested runs (open them on their own): ${s.layout.nestedRuns.join(', ')}`);
  if (s.layout.problems.length) {
    lines.push('', `Layout problems: ${s.layout.problems.length}`, ...s.layout.problems.map((p) => `  ${formatProblem(p)}`));
  }

  lines.push('');
  if ('error' in s.eval) {
    lines.push(`Eval set ${rel(s.eval.file)}: cannot be used`);
  } else {
    const e = s.eval;
    lines.push(
      `Eval set ${rel(e.file)}: ${e.samples} samples, ${e.responseTokens} response tokens, ${e.promptTokens} prompt tokens, hash ${e.hash.slice(0, 12)}`,
    );
  }
  const problems = s.eval.problems;
  if (problems.length) {
    lines.push(`  ${problems.length} bad line${problems.length === 1 ? '' : 's'} (not loaded):`);
    for (const p of problems.slice(0, SHOWN_PROBLEMS)) lines.push(`    ${formatProblem({ ...p, file: rel(p.file) })}`);
    if (problems.length > SHOWN_PROBLEMS) lines.push(`    … and ${problems.length - SHOWN_PROBLEMS} more (--json lists all)`);
  }
  return lines.join('\n') + '\n';
}

function show(root: string, p: string): string {
  return runRelative(root, p) ?? p;
}

function refText(root: string, r: ReferenceSetting): string {
  return typeof r === 'string' ? r : `model ${show(root, r.model)}`;
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
