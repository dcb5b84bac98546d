// Run folders for the report command's end-to-end tests: an eval.jsonl, optional coverage.json
// and ONNX checkpoints written by the project's writer; the command run with captured output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltModel } from '../../src/core/onnx/models';
import { runReport } from '../../src/cli/report';
import { saveModel } from './helpers';

export interface EvalLine {
  prompt: number[];
  response: number[];
  ref?: number;
}

export function writeRun(dir: string, o: { lines: EvalLine[]; models: Record<number, BuiltModel>; coverage?: object }): void {
  const text = o.lines.map((l, i) =>
    JSON.stringify({ id: `s${i}`, prompt_ids: l.prompt, response_ids: l.response, ...(l.ref === undefined ? {} : { ref_logprob: l.ref }) }),
  );
  writeFileSync(join(dir, 'eval.jsonl'), text.join('\n') + '\n');
  if (o.coverage) writeFileSync(join(dir, 'coverage.json'), JSON.stringify(o.coverage));
  for (const [step, m] of Object.entries(o.models)) saveModel(dir, `step-${step}`, m);
}

/** Every binary sequence of length H, in counting order. */
export function allBinary(H: number): number[][] {
  return Array.from({ length: 2 ** H }, (_, v) => Array.from({ length: H }, (_, t) => (v >> t) & 1));
}

/** Logits whose softmax over {0, 1} gives token 1 probability q. */
export const bernoulliLogits = (q: number): number[] => [Math.log(1 - q), Math.log(q)];

/** A report as the JSON consumer sees it (numbers or "Infinity" or null). */
export interface ReportJson {
  reference: unknown;
  selectionN: number;
  dev: number | null;
  suggested: { step: number; path: string } | null;
  minCrossEntropy: { step: number; path: string } | null;
  coverageRelativeTo: { step: number; path: string } | null;
  checkpoints: {
    step: number;
    path: string;
    samples: number;
    tokens: number;
    cePerToken: number | string | null;
    cePerSequence: number | string | null;
    kl: number | string | null;
    coverage: Record<string, number>;
    coverageInterval: Record<string, [number, number]>;
    passAt: Record<string, number> | null;
    tournamentScore: number | null;
    rivalStep: number | null;
  }[];
  failed: { step: number; path: string; reason: string }[];
  warnings: string[];
}

export interface Captured {
  code: number;
  out: string;
  err: string;
}

/** Runs `report` in-process on the CPU (the machine's GPU is not what these tests check). */
export async function report(argv: string[], cwd: string): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (t: string) => {
      out.push(t);
    },
    err: (t: string) => {
      err.push(t);
    },
    cwd,
  };
  const { code } = await runReport([...argv, '--provider', 'cpu'], io, { settleMs: 0 });
  return { code, out: out.join(''), err: err.join('') };
}

export async function reportJson(argv: string[], cwd: string): Promise<{ json: ReportJson; err: string }> {
  const r = await report([...argv, '--json'], cwd);
  if (r.code !== 0) throw new Error(`report exited ${r.code}: ${r.err}`);
  return { json: JSON.parse(r.out) as ReportJson, err: r.err };
}

export function row(json: ReportJson, step: number): ReportJson['checkpoints'][number] {
  const c = json.checkpoints.find((x) => x.step === step);
  if (!c) throw new Error(`no checkpoint at step ${step} in the report`);
  return c;
}
