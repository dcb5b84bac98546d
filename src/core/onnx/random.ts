// A small seeded PRNG for reproducible random weights: the same seed gives the same model
// on every machine, so tests and the demo can regenerate checkpoints instead of storing them.

/** sfc32 seeded through splitmix32; returns uniform 32-bit unsigned integers. */
export function uint32(seed: number): () => number {
  let s = seed >>> 0;
  const mix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix(),
    b = mix(),
    c = mix(),
    d = mix();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** Uniform float64 numbers in [0, 1). */
export function uniform(seed: number): () => number {
  const u = uint32(seed);
  return () => u() / 4294967296;
}

/** Fill `out` with N(mean, std²) draws (Marsaglia's polar method: no trigonometry). */
export function fillNormalExact(out: Float32Array, next: () => number, std: number, mean = 0): Float32Array {
  let i = 0;
  while (i < out.length) {
    const u = 2 * next() - 1;
    const v = 2 * next() - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const k = std * Math.sqrt((-2 * Math.log(s)) / s);
    out[i++] = mean + u * k;
    if (i < out.length) out[i++] = mean + v * k;
  }
  return out;
}

const TABLE_BITS = 16;
let table: Float32Array | undefined;

/**
 * Fill `out` with draws from a fixed 65536-point sample of N(0, 1), scaled to N(mean, std²),
 * two draws per 32-bit random number. A GPT-2-small-sized model (124M weights) takes well
 * under a second this way instead of ~6 s with a log and a square root per pair; the
 * quantized distribution is irrelevant for random test weights. `seed` picks the draws.
 */
export function fillNormal(out: Float32Array, seed: number, std: number, mean = 0): Float32Array {
  table ??= fillNormalExact(new Float32Array(1 << TABLE_BITS), uniform(0x5eed), 1);
  const t = table;
  const next = uint32(seed);
  const mask = (1 << TABLE_BITS) - 1;
  const n = out.length;
  for (let i = 0; i < n; i += 2) {
    const r = next();
    out[i] = mean + std * t[r & mask]!;
    if (i + 1 < n) out[i + 1] = mean + std * t[r >>> TABLE_BITS]!;
  }
  return out;
}
