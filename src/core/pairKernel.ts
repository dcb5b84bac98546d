// The tournament's inner loop: for every pair of checkpoints (j, k), the number of samples with
// d = s_j(i) − s_k(i) ≥ c and with d ≤ −c. It is K²·n/2 subtractions, the cost of a full build
// (5 runs × 200 checkpoints × 10,000 samples is 5·10⁹), so it runs as a small WebAssembly SIMD
// function, two samples per instruction, about 3× faster than the plain loop
// (bench/tournament.ts). The module is written here byte by byte (a few hundred bytes, no build
// step, no file to load), and where WebAssembly SIMD is missing the plain loop does the same
// work. Both use the same float64 subtraction and comparison, so their counts are identical.

/** Adds every pair's counts into counts[j*cap + k] (d ≥ c) and counts[k*cap + j] (d ≤ −c). */
export type PairCounter = (rows: readonly Float64Array[], n: number, c: number, counts: Int32Array, cap: number) => void;

/** Samples per block, so that the block of every row stays in cache (256 measured best). */
const BLOCK = 256;

/**
 * The plain loop, in sample blocks. The counts are added branch-free: the sign of d is
 * unpredictable between close checkpoints, and `+(cond)` measured 2.5× faster than if/else.
 */
export const jsPairCounts: PairCounter = (rows, n, c, counts, cap) => {
  const K = rows.length;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    for (let j = 0; j < K; j++) {
      const rj = rows[j];
      for (let k = j + 1; k < K; k++) {
        const rk = rows[k];
        let a = 0;
        let b = 0;
        for (let i = i0; i < i1; i++) {
          const d = rj[i] - rk[i];
          a += +(d >= c);
          b += +(d <= -c);
        }
        counts[j * cap + k] += a;
        counts[k * cap + j] += b;
      }
    }
  }
};

// ---- the WebAssembly module ----
// One exported function pairs(rows, K, rowBytes, c, counts) over one block held in the module's
// memory: row k's samples at rows + k·rowBytes (rowBytes a multiple of 16, a block of odd length
// padded with NaN, which counts for neither side), and a K×K i32 matrix at `counts` that it adds
// to. Per pair it keeps two i64x2 accumulators; f64x2.ge gives −1 in a true lane, so subtracting
// the mask counts it.

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec(Array.from(s, (ch) => [ch.charCodeAt(0)]));

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32 = (v: number) => [0x41, ...uleb(v)]; // small non-negative constants only
const ADD = 0x6a;
const MUL = 0x6c;
const GE_U = 0x4f;
const I64_ADD = 0x7c;
const WRAP = 0xa7;
const F64_NEG = 0x9a;
const simd = (op: number) => [0xfd, ...uleb(op)];
const V128_LOAD = [...simd(0x00), 4, 0]; // align 2^4, offset 0
const V128_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const I64X2_LANE = (lane: number) => [...simd(0x1d), lane];
const F64X2_SPLAT = simd(0x14);
const F64X2_LE = simd(0x4b);
const F64X2_GE = simd(0x4c);
const I64X2_SUB = simd(0xd1);
const F64X2_SUB = simd(0xf1);
/** `for (; x < limit; ) { body }` as block/loop; the body advances x itself. */
const whileBelow = (x: number, limit: number, body: number[]) => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...get(x),
  ...get(limit),
  GE_U,
  0x0d,
  1,
  ...body,
  0x0c,
  0,
  0x0b,
  0x0b,
];
const inc = (x: number, by: number) => [...get(x), ...i32(by), ADD, ...set(x)];

function pairsModule(): Uint8Array {
  // params: rows K rowBytes c counts; locals: j k rj rk off addr (i32), a b C negC d (v128)
  const [rows, K, rowBytes, c, counts, j, k, rj, rk, off, addr, a, b, C, negC, d] = [...Array(16).keys()];
  const addLanes = (index: number[], acc: number) => [
    ...get(counts),
    ...index,
    ...i32(4),
    MUL,
    ADD,
    ...tee(addr),
    ...get(addr),
    0x28,
    2,
    0, // i32.load
    ...get(acc),
    ...I64X2_LANE(0),
    ...get(acc),
    ...I64X2_LANE(1),
    I64_ADD,
    WRAP,
    ADD,
    0x36,
    2,
    0, // i32.store
  ];
  const body = [
    ...get(c),
    ...F64X2_SPLAT,
    ...set(C),
    ...get(c),
    F64_NEG,
    ...F64X2_SPLAT,
    ...set(negC),
    ...i32(0),
    ...set(j),
    ...whileBelow(j, K, [
      ...get(rows),
      ...get(j),
      ...get(rowBytes),
      MUL,
      ADD,
      ...set(rj),
      ...get(j),
      ...i32(1),
      ADD,
      ...set(k),
      ...whileBelow(k, K, [
        ...get(rows),
        ...get(k),
        ...get(rowBytes),
        MUL,
        ADD,
        ...set(rk),
        ...V128_ZERO,
        ...set(a),
        ...V128_ZERO,
        ...set(b),
        ...i32(0),
        ...set(off),
        ...whileBelow(off, rowBytes, [
          ...get(rj),
          ...get(off),
          ADD,
          ...V128_LOAD,
          ...get(rk),
          ...get(off),
          ADD,
          ...V128_LOAD,
          ...F64X2_SUB,
          ...set(d),
          ...get(a),
          ...get(d),
          ...get(C),
          ...F64X2_GE,
          ...I64X2_SUB,
          ...set(a),
          ...get(b),
          ...get(d),
          ...get(negC),
          ...F64X2_LE,
          ...I64X2_SUB,
          ...set(b),
          ...inc(off, 16),
        ]),
        ...addLanes([...get(j), ...get(K), MUL, ...get(k), ADD], a),
        ...addLanes([...get(k), ...get(K), MUL, ...get(j), ADD], b),
        ...inc(k, 1),
      ]),
      ...inc(j, 1),
    ]),
    0x0b,
  ];
  const func = [
    ...vec([
      [6, I32],
      [5, V128],
    ]),
    ...body,
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [F64], [I32]]), 0]])), // type () -> ()
    ...section(3, vec([[0]])), // one function of type 0
    ...section(5, vec([[0x00, 1]])), // memory, at least one page
    ...section(
      7,
      vec([
        [...name('pairs'), 0x00, 0],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]);
}

// The little of the WebAssembly global used here, typed the same for Node and the browser.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { pairs: (rows: number, K: number, rowBytes: number, c: number, counts: number) => void; memory: WasmMemory };
  };
}

const wasmApi = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function pairsWasm(): object | null {
  if (compiled !== undefined) return compiled;
  const api = wasmApi();
  const bytes = pairsModule();
  // validate() is false where SIMD is not supported; the plain loop then does the work.
  compiled = api && api.validate(bytes) ? new api.Module(bytes) : null;
  return compiled;
}

/** The SIMD counter, or null where this runtime has no WebAssembly SIMD. */
export function wasmPairCounter(): PairCounter | null {
  const module = pairsWasm();
  if (!module) return null;
  const api = wasmApi()!;
  return (rows, n, c, counts, cap) => {
    const K = rows.length;
    if (K < 2 || n === 0) return;
    // A fresh instance per build: its memory (which cannot shrink) goes with it.
    const { exports } = new api.Instance(module);
    const countsBytes = K * K * 4;
    const rowsAt = Math.ceil(countsBytes / 16) * 16;
    const rowLen = BLOCK; // even, so every row starts 16-byte aligned
    const need = rowsAt + K * rowLen * 8;
    const have = exports.memory.buffer.byteLength;
    try {
      if (need > have) exports.memory.grow(Math.ceil((need - have) / 65536));
    } catch {
      // No room for the matrix in one 4 GiB memory (K in the tens of thousands): count in JS.
      jsPairCounts(rows, n, c, counts, cap);
      return;
    }
    const f64 = new Float64Array(exports.memory.buffer);
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const len = Math.min(BLOCK, n - i0);
      const padded = len + (len & 1);
      for (let k = 0; k < K; k++) {
        const at = rowsAt / 8 + k * padded;
        f64.set(rows[k].subarray(i0, i0 + len), at);
        if (padded > len) f64[at + len] = Number.NaN;
      }
      exports.pairs(rowsAt, K, padded * 8, c, 0);
    }
    const got = new Int32Array(exports.memory.buffer, 0, K * K);
    for (let j = 0; j < K; j++) {
      for (let k = 0; k < K; k++) if (j !== k) counts[j * cap + k] += got[j * K + k];
    }
  };
}

let chosen: PairCounter | undefined;

/** The fastest counter this runtime has. */
export function pairCounter(): PairCounter {
  chosen ??= wasmPairCounter() ?? jsPairCounts;
  return chosen;
}
