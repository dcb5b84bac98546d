// The demo's checkpoints: bigram logit tables built from the chain by a documented schedule
// that mimics a pre-training run which first learns the chain and then over-fits its common
// continuations. Checkpoint k's next-token distribution after token a is
//
//   q_k(· | a) = (1 − ε_k) · normalize( P(b|a) · e^{σ_k·z(a,b)} · (α_k if b is rare) ) + ε_k / V
//
// ε_k: mass still spread over every token (early training); σ_k: fixed noise z(a,b) ~ N(0,1) on
// the logits, shrinking as training proceeds (the common continuations get better calibrated);
// α_k: how much the rare-but-valid continuations are suppressed (1 = not at all).
// Cross-entropy keeps falling to the end, because the shrinking σ and ε buy more than the
// suppressed rare mass costs; coverage of responses that use a rare continuation collapses once
// α drops, by far more than a factor N = 16.
import { seededRandom, type Chain } from './chain';

export interface ScheduleStep {
  step: number;
  epsilon: number;
  sigma: number;
  alpha: number;
}

export const DEMO_SCHEDULE: readonly ScheduleStep[] = [
  { step: 1000, epsilon: 0.9, sigma: 1.5, alpha: 1 },
  { step: 2000, epsilon: 0.75, sigma: 1.2, alpha: 1 },
  { step: 3000, epsilon: 0.6, sigma: 0.9, alpha: 1 },
  { step: 4000, epsilon: 0.45, sigma: 0.6, alpha: 1 },
  { step: 5000, epsilon: 0.3, sigma: 0.3, alpha: 1 },
  { step: 6000, epsilon: 0.08, sigma: 0, alpha: 1 },
  { step: 7000, epsilon: 1e-4, sigma: 0.4, alpha: 1 / 40 },
  { step: 8000, epsilon: 1e-4, sigma: 0.32, alpha: 1 / 42 },
  { step: 9000, epsilon: 1e-4, sigma: 0.25, alpha: 1 / 44 },
  { step: 10000, epsilon: 1e-5, sigma: 0.18, alpha: 1 / 46 },
  { step: 11000, epsilon: 1e-5, sigma: 0.12, alpha: 1 / 48 },
  { step: 12000, epsilon: 1e-5, sigma: 0.07, alpha: 1 / 50 },
  { step: 13000, epsilon: 1e-6, sigma: 0.03, alpha: 1 / 52 },
];

/**
 * The schedule of a run trained at `lr` times the demo's learning rate (a sweep's members): at
 * each of the demo's steps it is as far along as the demo run is at `lr` times that step, so a
 * higher rate learns the chain sooner and loses the rare continuations sooner. Between two
 * states of the demo's schedule ε and σ are interpolated linearly and α geometrically; past its
 * ends the first or last state holds. lr = 1 is the demo's schedule itself.
 */
export function scaledSchedule(lr: number, base: readonly ScheduleStep[] = DEMO_SCHEDULE): ScheduleStep[] {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`demo: the learning-rate factor must be a number > 0, got ${lr}`);
  if (lr === 1) return base.map((s) => ({ ...s }));
  return base.map(({ step }) => {
    const at = step * lr;
    const k = base.findIndex((s) => s.step >= at);
    if (k < 0) return { ...base[base.length - 1], step };
    if (base[k].step === at || k === 0) return { ...base[k], step };
    const [a, b] = [base[k - 1], base[k]];
    const w = (at - a.step) / (b.step - a.step);
    const mix = (x: number, y: number) => x + w * (y - x);
    return {
      step,
      epsilon: mix(a.epsilon, b.epsilon),
      sigma: mix(a.sigma, b.sigma),
      alpha: Math.exp(mix(Math.log(a.alpha), Math.log(b.alpha))),
    };
  });
}

/** Standard normal draws by Box–Muller from the seeded generator. */
function normals(count: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  const out = new Float64Array(count);
  for (let j = 0; j < count; j += 2) {
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[j] = r * Math.cos(2 * Math.PI * v);
    if (j + 1 < count) out[j + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** The logit table (ln q, float32 as the ONNX model stores it) of one schedule step. */
export function checkpointTable(chain: Chain, s: ScheduleStep, noiseSeed: number): Float32Array {
  const { vocab: V, P, kind } = chain;
  const z = normals(V * V, noiseSeed);
  const table = new Float32Array(V * V);
  for (let a = 0; a < V; a++) {
    let sum = 0;
    const w = new Float64Array(V);
    for (let b = 0; b < V; b++) {
      const j = a * V + b;
      w[b] = P[j] * Math.exp(s.sigma * z[j]) * (kind[j] === 2 ? s.alpha : 1);
      sum += w[b];
    }
    for (let b = 0; b < V; b++) table[a * V + b] = Math.log((1 - s.epsilon) * (w[b] / sum) + s.epsilon / V);
  }
  return table;
}
