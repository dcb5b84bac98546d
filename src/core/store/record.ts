// The score store's file format: one checkpoint's scores on one eval set, keyed by
// (checkpoint content hash, eval-set hash, scorer version). Pure encode/decode, no I/O, no
// node imports (the worker protocol and the webview type-check against these types).
//
// Layout (all integers little-endian, as on every platform onnxruntime-node ships for):
//   magic "CCSCORE1"            8 bytes
//   headerLength               u32
//   header                      UTF-8 JSON (StoredHeader), zero-padded to a multiple of 8
//   seqLogprob                  f64 × n
//   tokenCounts                 u32 × n
//   tokenOffsets                u32 × (n + 1)
//   tokenLogprobs               f32 × T, zero-padded to a multiple of 8
//   crc32                       u32 over every byte above, then 4 zero bytes
// The checksum and the sizes written in the header make a truncated, padded or bit-flipped
// file fail to decode, so the caller rescores instead of reading damaged numbers.
import type { CheckpointScores } from '../types';

export const STORE_FORMAT = 1;
const MAGIC = 'CCSCORE1';

/** What a stored result is valid for; any difference means the result must be recomputed. */
export interface StoreKey {
  /** Content hash of the model file and its external weights. */
  checkpointHash: string;
  /** Hash of the eval set's tokenized samples. */
  evalSetHash: string;
  /** Version of the scorer that computed the numbers. */
  scorerVersion: string;
}

export type ProviderName = 'cuda' | 'webgpu' | 'cpu';
export type ProviderSetting = 'auto' | ProviderName;

/** One execution provider that was tried, and why it was not used when it was not. */
export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  reason?: string;
}

/** A sample that has no score from this checkpoint (its seqLogprob is NaN). */
export interface SkippedSample {
  index: number;
  line: number;
  id?: string;
  reason: string;
}

export interface ScoreRunInfo {
  /** Checkpoint path relative to the run root, for messages. */
  checkpointPath: string;
  /** The provider that computed the numbers. */
  provider: ProviderName;
  attempts: ProviderAttempt[];
  skipped: SkippedSample[];
  /** Wall time of the scoring, for the tokens/s shown to the user. */
  seconds: number;
  /** Tokens fed to the model (prompt and response, without padding). */
  tokens: number;
  createdAt: string;
}

export interface StoredHeader extends ScoreRunInfo {
  format: number;
  key: StoreKey;
  samples: number;
  responseTokens: number;
}

export interface ScoreRecord {
  key: StoreKey;
  info: ScoreRunInfo;
  scores: CheckpointScores;
}

export type DecodeResult = { ok: true; record: ScoreRecord } | { ok: false; reason: string };

/** File name for a key: readable prefixes plus a hash of the whole key, so no two keys collide. */
export function storeFileName(key: StoreKey): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').slice(0, 16) || 'x';
  const whole = crc32(new TextEncoder().encode(JSON.stringify([key.checkpointHash, key.evalSetHash, key.scorerVersion])));
  return `${safe(key.checkpointHash)}-${safe(key.evalSetHash)}-${safe(key.scorerVersion)}-${whole.toString(16).padStart(8, '0')}.ccscores`;
}

const pad8 = (n: number) => (n + 7) & ~7;
const bodyLength = (n: number, t: number) => 8 * n + 4 * n + 4 * (n + 1) + 4 * t;

export function encodeScoreRecord(rec: ScoreRecord): Uint8Array {
  const s = rec.scores;
  checkShapes(s);
  const n = s.seqLogprob.length;
  const t = s.tokenLogprobs.length;
  const header: StoredHeader = { format: STORE_FORMAT, key: rec.key, samples: n, responseTokens: t, ...rec.info };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerEnd = pad8(12 + json.length);
  const total = headerEnd + pad8(bodyLength(n, t)) + 8;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = headerEnd;
  for (const arr of [s.seqLogprob, s.tokenCounts, s.tokenOffsets, s.tokenLogprobs]) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), at);
    at += arr.byteLength;
  }
  view.setUint32(total - 8, crc32(out.subarray(0, total - 8)), true);
  return out;
}

/** Decodes and verifies a stored file. `expected` rejects a file written for another key. */
export function decodeScoreRecord(bytes: Uint8Array, expected?: StoreKey): DecodeResult {
  const fail = (reason: string): DecodeResult => ({ ok: false, reason });
  if (bytes.length < 24) return fail(`file too short (${bytes.length} bytes)`);
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return fail('not a score file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = bytes.length;
  if (total % 8 !== 0) return fail(`length ${total} is not a multiple of 8 (truncated or padded)`);
  if (view.getUint32(total - 8, true) !== crc32(bytes.subarray(0, total - 8)) || view.getUint32(total - 4, true) !== 0) {
    return fail('checksum mismatch (damaged or truncated)');
  }
  const jsonLength = view.getUint32(8, true);
  if (12 + jsonLength > total - 8) return fail('header length beyond end of file');
  let header: StoredHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength))) as StoredHeader;
  } catch (e) {
    return fail(`header is not valid JSON: ${(e as Error).message}`);
  }
  const problem = headerProblem(header);
  if (problem) return fail(problem);
  if (header.format !== STORE_FORMAT) return fail(`format ${header.format}, expected ${STORE_FORMAT}`);
  if (expected) {
    for (const k of ['checkpointHash', 'evalSetHash', 'scorerVersion'] as const) {
      if (header.key[k] !== expected[k]) return fail(`${k} is ${header.key[k]}, expected ${expected[k]}`);
    }
  }
  const n = header.samples;
  const t = header.responseTokens;
  const headerEnd = pad8(12 + jsonLength);
  if (headerEnd + pad8(bodyLength(n, t)) + 8 !== total) return fail('sizes in the header do not match the file length');
  let at = headerEnd;
  const take = <T extends ArrayBufferView>(make: (len: number) => T, count: number, width: number): T => {
    const arr = make(count);
    new Uint8Array(arr.buffer).set(bytes.subarray(at, at + count * width));
    at += count * width;
    return arr;
  };
  const scores: CheckpointScores = {
    seqLogprob: take((c) => new Float64Array(c), n, 8),
    tokenCounts: take((c) => new Uint32Array(c), n, 4),
    tokenOffsets: take((c) => new Uint32Array(c), n + 1, 4),
    tokenLogprobs: take((c) => new Float32Array(c), t, 4),
  };
  try {
    checkShapes(scores);
  } catch (e) {
    return fail((e as Error).message);
  }
  const { format: _f, key, samples: _n, responseTokens: _t, ...info } = header;
  return { ok: true, record: { key, info, scores } };
}

function headerProblem(h: StoredHeader): string | undefined {
  if (typeof h !== 'object' || h === null) return 'header is not an object';
  if (typeof h.key !== 'object' || h.key === null) return 'header has no key';
  for (const k of ['checkpointHash', 'evalSetHash', 'scorerVersion'] as const) {
    if (typeof h.key[k] !== 'string') return `header key.${k} is not a string`;
  }
  for (const k of ['samples', 'responseTokens'] as const) {
    if (!Number.isSafeInteger(h[k]) || h[k] < 0) return `header ${k} is not a count`;
  }
  if (!Array.isArray(h.skipped) || !Array.isArray(h.attempts)) return 'header lacks skipped/attempts lists';
  return undefined;
}

/** Offsets must be the prefix sums of the counts and end at the number of stored log-probs. */
function checkShapes(s: CheckpointScores): void {
  const n = s.seqLogprob.length;
  if (s.tokenCounts.length !== n || s.tokenOffsets.length !== n + 1) {
    throw new Error(`score arrays disagree: ${n} sums, ${s.tokenCounts.length} counts, ${s.tokenOffsets.length} offsets`);
  }
  if (s.tokenOffsets[0] !== 0) throw new Error('tokenOffsets[0] is not 0');
  for (let i = 0; i < n; i++) {
    if (s.tokenOffsets[i + 1] !== s.tokenOffsets[i] + s.tokenCounts[i])
      throw new Error(`tokenOffsets[${i + 1}] is not the prefix sum of tokenCounts`);
  }
  if (s.tokenOffsets[n] !== s.tokenLogprobs.length)
    throw new Error(`tokenOffsets end at ${s.tokenOffsets[n]}, but ${s.tokenLogprobs.length} log-probs`);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE): enough to catch damage; the store is not a defence against tampering. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
