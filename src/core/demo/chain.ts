// The demo's data generator: a known first-order Markov chain (a bigram model) over a small
// vocabulary. From every token a few "common" continuations carry most of the mass and a few
// "rare but valid" ones share a small remainder; every other continuation has probability 0.
// Everything is drawn from a seeded generator, so a demo run is the same on every machine.

/** Mulberry32: a small, well-mixed 32-bit generator; enough for reproducible demo data. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChainOptions {
  vocab: number;
  /** Probabilities of the common continuations of every token (the same shape for each row). */
  common: readonly number[];
  /** Number of rare continuations per token; they share `rareMass` equally. */
  rare: number;
  rareMass: number;
  seed: number;
}

export const DEMO_CHAIN: ChainOptions = { vocab: 24, common: [0.6, 0.25, 0.14], rare: 4, rareMass: 0.01, seed: 20260 };

export interface Chain {
  vocab: number;
  /** P[a*vocab + b] = π_D(b | a), float64. */
  P: Float64Array;
  /** kind[a*vocab + b]: 0 = never, 1 = common, 2 = rare. */
  kind: Uint8Array;
}

export function makeChain(o: ChainOptions = DEMO_CHAIN): Chain {
  const { vocab: V, common, rare, rareMass } = o;
  const commonMass = common.reduce((a, b) => a + b, 0);
  if (Math.abs(commonMass + rareMass - 1) > 1e-12) throw new Error('demo chain: common + rare mass must be 1');
  if (common.length + rare > V) throw new Error('demo chain: more continuations than tokens');
  const rand = seededRandom(o.seed);
  const P = new Float64Array(V * V);
  const kind = new Uint8Array(V * V);
  for (let a = 0; a < V; a++) {
    // A random permutation of the vocabulary picks which tokens are common and rare after a.
    const perm = Array.from({ length: V }, (_, b) => b);
    for (let j = V - 1; j > 0; j--) {
      const r = Math.floor(rand() * (j + 1));
      [perm[j], perm[r]] = [perm[r], perm[j]];
    }
    common.forEach((p, j) => {
      P[a * V + perm[j]] = p;
      kind[a * V + perm[j]] = 1;
    });
    for (let j = 0; j < rare; j++) {
      P[a * V + perm[common.length + j]] = rareMass / rare;
      kind[a * V + perm[common.length + j]] = 2;
    }
  }
  return { vocab: V, P, kind };
}

export interface DemoSample {
  promptIds: number[];
  responseIds: number[];
  /** ln π_D(response | prompt), exact in float64. */
  refLogprob: number;
}

/** Draws n (prompt, response) pairs: a prompt of 1–3 tokens, then a response of minLen..maxLen tokens. */
export function sampleChain(chain: Chain, n: number, seed: number, minLen = 12, maxLen = 20): DemoSample[] {
  const { vocab: V, P } = chain;
  const rand = seededRandom(seed);
  const next = (a: number): number => {
    let u = rand();
    for (let b = 0; b < V; b++) {
      u -= P[a * V + b];
      if (u < 0) return b;
    }
    // u landed in float round-off at the top: take the last possible continuation.
    for (let b = V - 1; b >= 0; b--) if (P[a * V + b] > 0) return b;
    throw new Error('demo chain: a row without continuations');
  };
  const out: DemoSample[] = [];
  for (let i = 0; i < n; i++) {
    const promptIds = [Math.floor(rand() * V)];
    const plen = 1 + Math.floor(rand() * 3);
    while (promptIds.length < plen) promptIds.push(next(promptIds[promptIds.length - 1]));
    const len = minLen + Math.floor(rand() * (maxLen - minLen + 1));
    const responseIds: number[] = [];
    let prev = promptIds[promptIds.length - 1];
    let lp = 0;
    for (let t = 0; t < len; t++) {
      const b = next(prev);
      lp += Math.log(P[prev * V + b]);
      responseIds.push(b);
      prev = b;
    }
    out.push({ promptIds, responseIds, refLogprob: lp });
  }
  return out;
}
