// An independent float64 forward pass of the GPT-2 the writer builds, written straight from
// the maths (no graph), to check the ONNX graph computes what gpt2Model documents.
import type { Gpt2Options, Gpt2Weights } from '../../../src/core/onnx/models';

type Vec = Float64Array;

function layerNorm(x: Vec, g: Float32Array, b: Float32Array): Vec {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let vr = 0;
  for (const v of x) vr += (v - mean) ** 2;
  const inv = 1 / Math.sqrt(vr / x.length + 1e-5);
  return x.map((v, i) => (v - mean) * inv * g[i]! + b[i]!);
}

/** y = x·W + b for W stored row-major [in, out]. */
function linear(x: Vec, w: Float32Array, b: Float32Array): Vec {
  const out = new Float64Array(b.length);
  for (let j = 0; j < out.length; j++) {
    let s = b[j]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * w[i * out.length + j]!;
    out[j] = s;
  }
  return out;
}

/** erf in float64: its Taylor series up to |x| = 3, the continued fraction of erfc beyond. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a <= 3) {
    let term = a,
      sum = a;
    for (let n = 1; n < 60; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(-a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail.
  let frac = a;
  for (let k = 80; k >= 1; k--) frac = a + k / 2 / frac;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / frac);
}

const gelu = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));

/**
 * Logits [seq][vocab] for one row of ids with its 0/1 mask. Positions are
 * max(cumsum(mask) - 1, 0); query t attends keys j <= t with mask[j] = 1.
 */
export function referenceLogits(o: Gpt2Options, w: Gpt2Weights, ids: number[], mask: number[], positions?: number[]): Vec[] {
  const d = o.width,
    hd = d / o.heads,
    n = ids.length;
  let c = 0;
  const pos = positions ?? mask.map((m) => Math.max((c += m) - 1, 0));
  let xs = ids.map((id, t) => Float64Array.from({ length: d }, (_, i) => w.wte[id * d + i]! + w.wpe[pos[t]! * d + i]!));
  for (const L of w.layers) {
    const qkv = xs.map((x) => linear(layerNorm(x, L.ln1g, L.ln1b), L.wqkv, L.bqkv));
    xs = xs.map((x, t) => {
      const ctx = new Float64Array(d);
      for (let h = 0; h < o.heads; h++) {
        const q = (i: number): number => qkv[t]![h * hd + i]!;
        const allowed = Array.from({ length: t + 1 }, (_, j) => j).filter((j) => mask[j] === 1);
        const scores = allowed.map((j) => {
          let s = 0;
          for (let i = 0; i < hd; i++) s += q(i) * qkv[j]![d + h * hd + i]!;
          return s / Math.sqrt(hd);
        });
        // A query with nothing to attend to averages every key, as the graph's finite bias does.
        const keys = allowed.length ? allowed : Array.from({ length: n }, (_, j) => j);
        const sc = allowed.length ? scores : keys.map(() => 0);
        const mx = Math.max(...sc);
        const e = sc.map((s) => Math.exp(s - mx));
        const z = e.reduce((a, b) => a + b, 0);
        keys.forEach((j, k) => {
          for (let i = 0; i < hd; i++) ctx[h * hd + i]! += (e[k]! / z) * qkv[j]![2 * d + h * hd + i]!;
        });
      }
      const a = linear(ctx, L.wo, L.bo);
      return x.map((v, i) => v + a[i]!);
    });
    xs = xs.map((x) => {
      const m = linear(linear(layerNorm(x, L.ln2g, L.ln2b), L.wfc, L.bfc).map(gelu), L.wproj, L.bproj);
      return x.map((v, i) => v + m[i]!);
    });
  }
  return xs.map((x) => {
    const f = layerNorm(x, w.lnfg, w.lnfb);
    return Float64Array.from({ length: o.vocab }, (_, v) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += f[i]! * w.wte[v * d + i]!;
      return s;
    });
  });
}
