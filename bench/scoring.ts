// Scoring speed: our session (log-prob head appended, [batch, seq] fetched) against the naive
// way (full logits fetched into JS, log-softmax there in float64), on generated GPT-2-shaped
// models, batch 8 × 128 tokens; and the achieved FLOP/s against the in-graph MatMul chain
// (bench/lib/ceiling.ts) measured in the same process. Runs are interleaved; figures are
// medians. Not a test.
// Run: node --import tsx bench/scoring.ts [rounds]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { gpt2Model, writeModel, type Gpt2Options } from '../src/core/onnx/models';
import { batchFeeds } from '../src/scoring/feeds';
import { HEAD_LABELS, HEAD_OUTPUT, readWithLogprobHead } from '../src/scoring/head';
import { planCheckpoint } from '../src/scoring/planCheckpoint';
import { sessionOptions } from '../src/scoring/providers';
import { matmulCeiling } from './lib/ceiling';
import { median, time } from './lib/timing';

const CACHE = join(__dirname, '..', '.bench-cache');
const ROUNDS = Number(process.argv[2] ?? 5);
const BATCH = 8;
const SEQ = 128;
/** Largest |ours − naive| log-prob (nats) for the two to count as the same work: float32 vs float64 log-softmax. */
const MAX_DIFF = 1e-3;

const shapes: { name: string; o: Gpt2Options; target: number }[] = [
  { name: 'small 4×256 V8192', o: { layers: 4, width: 256, heads: 4, vocab: 8192, context: 1024, seed: 1 }, target: 2.5 },
  {
    name: 'GPT-2 12×768 V50257',
    o: { layers: 12, width: 768, heads: 12, vocab: 50257, context: 1024, seed: 1, externalData: true },
    target: 1.4,
  },
];

/** `<cache>/<name>/onnx/model.onnx` plus a config.json: the folder layout transformers.js loads. */
function cached(name: string, build: () => Parameters<typeof writeModel>[2], config: object = {}): string {
  const dir = join(CACHE, name, 'onnx');
  const file = join(dir, 'model.onnx');
  if (!existsSync(file)) {
    process.stdout.write(`generating ${name} (cached in .bench-cache/)…\n`);
    mkdirSync(dir, { recursive: true });
    writeModel(dir, 'model.onnx', build());
  }
  writeFileSync(join(CACHE, name, 'config.json'), JSON.stringify(config));
  return file;
}

type Logits = (ids: BigInt64Array, mask: BigInt64Array) => Promise<Float32Array>;

/** transformers.js on the same folder, when it is installed (a dev dependency); else why not. */
async function transformersJs(name: string): Promise<Logits | string> {
  let T: typeof import('@huggingface/transformers');
  try {
    T = await import('@huggingface/transformers');
  } catch (e) {
    return `not installed (${(e as Error).message.split('\n')[0]})`;
  }
  T.env.allowRemoteModels = false;
  T.env.localModelPath = CACHE;
  const model = await T.AutoModelForCausalLM.from_pretrained(name, { local_files_only: true, dtype: 'fp32', device: 'cpu' });
  return async (ids, mask) => {
    const out = await model({
      input_ids: new T.Tensor('int64', ids, [BATCH, SEQ]),
      attention_mask: new T.Tensor('int64', mask, [BATCH, SEQ]),
    });
    return out.logits.data as Float32Array;
  };
}

/** The naive way: full logits into JS, float64 log-softmax, pick the label. */
function naiveLogprobs(logits: Float32Array, labels: BigInt64Array): Float64Array {
  // The vocabulary as the logits returned state it, one row per label.
  const V = logits.length / labels.length;
  if (!Number.isInteger(V)) throw new Error(`${logits.length} logits do not split into ${labels.length} rows`);
  const out = new Float64Array(labels.length);
  for (let p = 0; p < labels.length; p++) {
    const row = logits.subarray(p * V, (p + 1) * V);
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (row[i] > max) max = row[i];
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp(row[i] - max);
    out[p] = row[Number(labels[p])] - max - Math.log(sum);
  }
  return out;
}

async function main(): Promise<void> {
  // Several sessions live at once in this process: spinning threads would slow each other.
  const settings = { allowSpinning: false, intraOpThreads: 0 };
  const mm = await matmulCeiling(settings);
  const mmTimes: number[] = [];
  const rows: ((mmFlops: number) => string)[] = [];
  for (const { name, o, target } of shapes) {
    const folder = `gpt2-${o.layers}x${o.width}-v${o.vocab}`;
    const file = cached(folder, () => gpt2Model(o), {
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_layer: o.layers,
      n_head: o.heads,
      n_embd: o.width,
      vocab_size: o.vocab,
      n_positions: o.context,
      use_cache: false,
    });
    const dir = join(file, '..');
    const plan = await planCheckpoint(file);
    const opts = sessionOptions('cpu', { ...settings, weightsDir: dir });
    // The scorer's own bytes: the model with the head appended, as the worker loads it.
    const ours = await ort.InferenceSession.create(await readWithLogprobHead(file, plan.logitsType), opts);
    const naive = await ort.InferenceSession.create(file, opts);
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % o.vocab;
    const seqs = Array.from({ length: BATCH }, () => ({
      promptIds: Int32Array.from([rand()]),
      responseIds: Int32Array.from({ length: SEQ - 1 }, rand),
    }));
    const feeds = batchFeeds(plan, seqs, SEQ);
    // Both ways score the same positions against the same labels: the ones the head gathers at.
    const labels = feeds[HEAD_LABELS].data as BigInt64Array;
    const { [HEAD_LABELS]: _l, ...naiveFeeds } = feeds;
    const runOurs = () => ours.run(feeds, [HEAD_OUTPUT]);
    const runNaive = async () => naiveLogprobs((await naive.run(naiveFeeds, ['logits'])).logits.data as Float32Array, labels);
    const tjs = await transformersJs(folder);
    const runTjs =
      typeof tjs === 'string'
        ? undefined
        : async () =>
            naiveLogprobs(await tjs(naiveFeeds.input_ids.data as BigInt64Array, naiveFeeds.attention_mask.data as BigInt64Array), labels);
    // Same numbers both ways, or the timing compares different work.
    const x = (await runOurs())[HEAD_OUTPUT].data as Float32Array;
    let maxDiff = 0;
    for (const [way, y] of [['naive', await runNaive()], ...(runTjs ? [['transformers.js', await runTjs()] as const] : [])] as const) {
      if (y.length !== x.length) throw new Error(`${name}: ${way} gives ${y.length} log-probs, ours ${x.length}`);
      maxDiff = x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), maxDiff);
    }
    if (!(maxDiff <= MAX_DIFF))
      throw new Error(
        `${name}: log-probs differ by ${maxDiff} between the ways compared (more than ${MAX_DIFF}): the timings would compare different work`,
      );
    const tTjs: number[] = [];
    const tOurs: number[] = [];
    const tNaive: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so neither always runs on a cache the other warmed.
      if (r % 2) {
        tNaive.push(await time(runNaive));
        tOurs.push(await time(runOurs));
      } else {
        tOurs.push(await time(runOurs));
        tNaive.push(await time(runNaive));
      }
      if (runTjs) tTjs.push(await time(runTjs));
      mmTimes.push(await time(mm.run));
    }
    await ours.release();
    await naive.release();
    // Tokens and attention length as fed (padding included: the kernels compute on it too).
    const [b, T] = feeds.input_ids.dims;
    const tokens = b * T;
    const { layers: L, width: d, vocab: V } = o;
    const flopsPerToken = 24 * L * d * d + 2 * d * V + 4 * L * T * d;
    const oursTps = tokens / median(tOurs);
    const naiveTps = tokens / median(tNaive);
    const achieved = (flopsPerToken * tokens) / median(tOurs);
    const tjsCell = tTjs.length
      ? `${(tokens / median(tTjs)).toFixed(0)} | ${(oursTps / (tokens / median(tTjs))).toFixed(2)}x`
      : `— | ${tjs}`;
    // The share of MatMul FLOP/s waits for every round of every model: one figure for all rows.
    rows.push(
      (mmFlops) =>
        `| ${name} | ${oursTps.toFixed(0)} | ${naiveTps.toFixed(0)} | ${(oursTps / naiveTps).toFixed(2)}x (target ≥ ${target}x) | ${tjsCell} | ${(achieved / 1e9).toFixed(1)} | ${((100 * achieved) / mmFlops).toFixed(0)}% | ${maxDiff.toExponential(1)} |`,
    );
    process.stdout.write(
      `${name}: ours ${tOurs.map((t) => t.toFixed(3)).join(' ')} s; naive ${tNaive.map((t) => t.toFixed(3)).join(' ')} s; transformers.js ${tTjs.map((t) => t.toFixed(3)).join(' ') || '-'} s\n`,
    );
  }
  const mmFlops = mm.flops / median(mmTimes);
  await mm.release();
  process.stdout.write(
    `\nbatch ${BATCH} × ${SEQ} tokens, CPU provider, ${ROUNDS} interleaved rounds, medians; ${mm.describe}: ${(mmFlops / 1e9).toFixed(1)} GFLOP/s\n\n`,
  );
  process.stdout.write(
    '| model | ours tokens/s | naive tokens/s | ours / naive | transformers.js tokens/s | ours / transformers.js | ours GFLOP/s | of MatMul | max |Δ| |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  process.stdout.write(`${rows.map((row) => row(mmFlops)).join('\n')}\n`);
  process.stdout.write('(GPT-2 target: ≥ 75% of the MatMul FLOP/s. FLOPs/token = 24·L·d² + 2·d·V + 4·L·T·d.)\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
