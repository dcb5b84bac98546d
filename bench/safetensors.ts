// Scoring a GPT-2-small-shaped checkpoint (12 × 768, vocabulary 50257) straight from
// safetensors against its ONNX export (the same weights through our writer), both as the
// scorer runs them: one batch of 8 samples × 128 tokens, CPU provider, interleaved rounds,
// medians. Two eval sets: every position scored (prompt 1, response 127), where both do the
// same work; and prompts 3× longer than responses (96 + 32), where the safetensors graph runs
// the last layer's projection and MLP and the LM head only at the 32 response positions. The
// ratio is taken on the process's CPU seconds (wall time beside it). Throughput is also given
// as a share of the in-graph MatMul ceiling measured in the same process. Peak RSS is the scoring worker's own
// (dist/worker.js, as the CLI and the extension run it), scoring the prompt-heavy batch with
// one model per fresh worker. Not a test.
// Run: node --import tsx bench/safetensors.ts [rounds]
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { gpt2Model, gpt2Weights, writeModel, type Gpt2Options } from '../src/core/onnx/models';
import type { WireSample } from '../src/shared/workerProtocol';
import { prepareModel, type PreparedModel } from '../src/scoring/model';
import { sessionOptions } from '../src/scoring/providers';
import { ScoringWorkerClient } from '../src/run/workerClient';
import { writeGpt2Checkpoint } from '../test/support/gpt2Safetensors';
import { matmulCeiling } from './lib/ceiling';
import { median, time, timeBoth } from './lib/timing';

const CACHE = join(__dirname, '..', '.bench-cache');
const ROUNDS = Number(process.argv[2] ?? 9);
const BATCH = 8;
const SEQ = 128;
const o: Gpt2Options = { layers: 12, width: 768, heads: 12, vocab: 50257, context: 1024, seed: 1, externalData: true };
const PARAMS = o.vocab * o.width + o.context * o.width + o.layers * (12 * o.width ** 2 + 13 * o.width) + 2 * o.width;
/** Largest |Δ| (nats) between the two ways' per-token log-probs: both are float32 graphs of one model. */
const MAX_DIFF = 1e-3;

async function checkpoints(): Promise<{ onnx: string; safetensors: string }> {
  const onnxDir = join(CACHE, 'gpt2-12x768-v50257', 'onnx');
  const stDir = join(CACHE, 'gpt2-12x768-v50257-safetensors');
  const onnx = join(onnxDir, 'model.onnx');
  const safetensors = join(stDir, 'model.safetensors');
  if (existsSync(onnx) && existsSync(safetensors)) return { onnx, safetensors };
  process.stdout.write('generating the GPT-2-shaped model as ONNX and as safetensors (cached in .bench-cache/)…\n');
  const w = gpt2Weights(o);
  mkdirSync(onnxDir, { recursive: true });
  mkdirSync(stDir, { recursive: true });
  if (!existsSync(onnx)) writeModel(onnxDir, 'model.onnx', gpt2Model(o, w));
  await writeGpt2Checkpoint(stDir, o, w);
  return { onnx, safetensors };
}

/** Token ids as the scorer receives them. */
type Seq = Pick<WireSample, 'promptIds' | 'responseIds'>;

function evalSet(promptLen: number): Seq[] {
  let seed = 12345;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % o.vocab;
  return Array.from({ length: BATCH }, () => ({
    promptIds: Int32Array.from({ length: promptLen }, rand),
    responseIds: Int32Array.from({ length: SEQ - promptLen }, rand),
  }));
}

interface Way {
  plan: PreparedModel;
  session: ort.InferenceSession;
}

async function open(path: string): Promise<Way> {
  const plan = await prepareModel(path);
  const session = await ort.InferenceSession.create(
    await plan.bytes(),
    sessionOptions('cpu', { weightsDir: plan.weightsDir, allowSpinning: false, intraOpThreads: 0 }),
  );
  return { plan, session };
}

/**
 * One batch as the scorer builds and feeds it (feeds are built inside the timing: the
 * safetensors path reads its token embeddings from the file there), and each sample's
 * response log-probs out of it.
 */
function batchOf(way: Way, seqs: Seq[]): { run: () => Promise<Float32Array[]> } {
  return {
    run: async () => {
      const batches = way.plan.batches(seqs, BATCH * SEQ);
      if (batches.length !== 1) throw new Error(`${way.plan.format}: expected one batch, got ${batches.length}`);
      const [b] = batches;
      const { feeds, starts } = way.plan.feeds(seqs, b);
      const out = (await way.session.run(feeds, [way.plan.output]))[way.plan.output].data as Float32Array;
      const per: Float32Array[] = [];
      b.members.forEach((k, r) => {
        per[k] = out.subarray(starts[r], starts[r] + seqs[k].responseIds.length);
      });
      return per;
    },
  };
}

/** The peak resident set (MiB) of a fresh scoring worker that scores `seqs` on `model`. */
async function workerPeakRss(model: string, seqs: Seq[]): Promise<number> {
  const bundle = join(__dirname, '..', 'dist', 'worker.js');
  const client = new ScoringWorkerClient(existsSync(bundle) ? { workerScript: bundle } : {});
  try {
    const samples = seqs.map((s, index) => ({ index, line: index + 1, ...s }));
    await client.score({
      jobId: 'rss',
      checkpointPath: model,
      modelPath: model,
      evalSet: { hash: 'bench', file: 'bench', samples },
      options: { provider: 'cpu', tokenBudget: BATCH * SEQ, intraOpThreads: 0 },
    });
    // The worker's own high-water mark (Linux): what it held at its fullest, weights included.
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${client.workerPid}/status`, 'utf8'));
    return Number(m![1]) / 1024;
  } finally {
    await client.dispose();
  }
}

async function main(): Promise<void> {
  const files = await checkpoints();
  const ceiling = await matmulCeiling({ allowSpinning: false, intraOpThreads: 0 });
  const onnx = await open(files.onnx);
  const st = await open(files.safetensors);
  const ceilingTimes: number[] = [];
  const rows: ((ceilingFlops: number) => string)[] = [];
  const { layers: L, width: d, vocab: V } = o;
  for (const { name, promptLen, target } of [
    { name: 'every position scored (prompt 1, response 127)', promptLen: 1, target: 1.0 },
    { name: 'prompts 3× responses (96 + 32), response-only head', promptLen: 96, target: 1.3 },
  ]) {
    const seqs = evalSet(promptLen);
    const a = batchOf(onnx, seqs);
    const b = batchOf(st, seqs);
    const x = await a.run();
    const y = await b.run();
    let maxDiff = 0;
    x.forEach((v, k) =>
      v.forEach((lp, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(lp - y[k]![j]!));
      }),
    );
    if (!(maxDiff <= MAX_DIFF))
      throw new Error(
        `${name}: the two ways differ by ${maxDiff} nats (more than ${MAX_DIFF}): the timings would compare different models`,
      );
    const tA: { wall: number; cpu: number }[] = [];
    const tB: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2) {
        tB.push(await timeBoth(b.run));
        tA.push(await timeBoth(a.run));
      } else {
        tA.push(await timeBoth(a.run));
        tB.push(await timeBoth(b.run));
      }
      ceilingTimes.push(await time(ceiling.run));
    }
    const wallA = median(tA.map((t) => t.wall)),
      wallB = median(tB.map((t) => t.wall));
    const tokens = BATCH * SEQ;
    const responses = BATCH * (SEQ - promptLen);
    // Useful FLOPs of each: the body on every token; the head where each computes it.
    const body = (24 * L * d * d + 4 * L * SEQ * d) * tokens;
    const flopsA = body + 2 * d * V * tokens;
    const flopsB = body + 2 * d * V * responses;
    const tpsA = tokens / wallA;
    const tpsB = tokens / wallB;
    // The ratio in CPU seconds (what the work costs, whatever else runs) is the figure; the
    // ratio of wall-clock medians is printed beside it.
    const byCpu = median(tA.map((t) => t.cpu)) / median(tB.map((t) => t.cpu));
    rows.push(
      (cf) =>
        `| ${name} | ${tpsA.toFixed(0)} | ${tpsB.toFixed(0)} | **${byCpu.toFixed(2)}x** (wall ${(tpsB / tpsA).toFixed(2)}x; target ≥ ${target.toFixed(1)}x) | ${((100 * flopsA) / wallA / cf).toFixed(0)}% | ${((100 * flopsB) / wallB / cf).toFixed(0)}% | ${maxDiff.toExponential(1)} |`,
    );
    const show = (ts: { wall: number; cpu: number }[]) => ts.map((t) => `${t.wall.toFixed(2)}/${t.cpu.toFixed(2)}`).join(' ');
    process.stdout.write(`${name} (wall/CPU s): onnx ${show(tA)}; safetensors ${show(tB)}\n`);
  }
  await onnx.session.release();
  await st.session.release();
  const ceilingFlops = ceiling.flops / median(ceilingTimes);
  await ceiling.release();

  const weightsMb = (PARAMS * 4) / 2 ** 20;
  const rssSt = await workerPeakRss(files.safetensors, evalSet(96));
  const rssOnnx = await workerPeakRss(files.onnx, evalSet(96));
  process.stdout.write(
    `\nGPT-2 12×768 V50257 (${(PARAMS / 1e6).toFixed(1)}M parameters, ${statSync(files.safetensors).size} bytes of safetensors); batch ${BATCH} × ${SEQ}, CPU provider, ${ROUNDS} interleaved rounds, medians; ${ceiling.describe}: ${(ceilingFlops / 1e9).toFixed(1)} GFLOP/s\n\n`,
  );
  process.stdout.write(
    '| eval set | ONNX export tokens/s | safetensors tokens/s | safetensors / ONNX by CPU time (by wall time) | ONNX of MatMul | safetensors of MatMul | max |Δ| |\n|---|---|---|---|---|---|---|\n',
  );
  process.stdout.write(`${rows.map((row) => row(ceilingFlops)).join('\n')}\n\n`);
  process.stdout.write(
    `peak RSS of the scoring worker (prompts 3× responses, one batch): safetensors ${rssSt.toFixed(0)} MiB = **${(rssSt / weightsMb).toFixed(2)}×** the fp32 weights (${weightsMb.toFixed(0)} MiB; target ≤ 1.5×); ONNX export ${rssOnnx.toFixed(0)} MiB = ${(rssOnnx / weightsMb).toFixed(2)}×\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
