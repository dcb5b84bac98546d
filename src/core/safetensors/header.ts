// The safetensors header, parsed and checked without touching the tensor bytes. The format:
// 8 bytes little-endian u64 N, N bytes of UTF-8 JSON (the writer pads it with spaces to a
// multiple of 8), then the byte buffer. The JSON maps each tensor name to
// {dtype, shape, data_offsets: [begin, end]} relative to the buffer's start; the optional
// "__metadata__" entry holds string pairs. Every check names the file and the tensor, so a
// truncated or hand-edited file is refused here, not by onnxruntime halfway through a job.
import { FileError } from '../fileError';

/** The element types the format defines, with their size in bytes (sub-byte types in bits / 8). */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  F4: 0.5,
  F6_E2M3: 0.75,
  F6_E3M2: 0.75,
};

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte offsets in the whole file (the 8-byte length and the header included). */
  start: number;
  end: number;
}

export interface SafetensorsHeader {
  /** The file the header was read from, for messages. */
  file: string;
  /** Where the byte buffer starts in the file: 8 + N. */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** The safetensors library refuses headers over 100 MB; a longer one is not a header. */
export const MAX_HEADER_BYTES = 100_000_000;

/** The header length N from the file's first 8 bytes, checked against the file's size. */
export function headerLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.length < 8) {
    throw new FileError(file, `not a safetensors file: ${fileSize} bytes, shorter than the 8-byte header length (empty or truncated)`);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) {
    throw new FileError(
      file,
      `the header length is ${n} bytes, beyond the file's ${fileSize - 8} bytes after it (truncated, or not a safetensors file)`,
    );
  }
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FileError(file, `the header length is ${n} bytes, over the format's limit of ${MAX_HEADER_BYTES} (not a safetensors file?)`);
  }
  if (n < 2n) throw new FileError(file, `the header length is ${n} bytes; a header is at least "{}"`);
  return Number(n);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses the N header bytes of a file of `fileSize` bytes. Checks what the scorer relies on:
 * every tensor's bytes lie inside the file and match its dtype × shape. (The library also
 * demands that the tensors tile the buffer without gaps; a gap harms nobody here.)
 */
export function parseHeader(json: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const dataStart = 8 + json.length;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new FileError(file, 'the safetensors header is not valid UTF-8 (not a safetensors file?)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FileError(file, `the safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(parsed)) throw new FileError(file, 'the safetensors header is not a JSON object');

  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  const bufferSize = fileSize - dataStart;
  for (const [name, v] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isPlainObject(v)) throw new FileError(file, '"__metadata__" must be an object of strings');
      for (const [k, s] of Object.entries(v)) if (typeof s === 'string') metadata[k] = s;
      continue;
    }
    const bad = (why: string): never => {
      throw new FileError(file, `tensor ${name}: ${why}`);
    };
    if (!isPlainObject(v)) bad('its header entry is not an object');
    const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) bad(`unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) bad(`shape ${JSON.stringify(shape)} is not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      bad(`data_offsets ${JSON.stringify(offsets)} are not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const want = count * DTYPE_BYTES[dtype as string];
    if (end - begin !== want) bad(`holds ${end - begin} bytes, but ${dtype} ${JSON.stringify(shape)} needs ${want}`);
    if (end > bufferSize) {
      bad(`its bytes end at ${dataStart + end}, beyond the file's ${fileSize} bytes (the file is truncated)`);
    }
    tensors.set(name, { name, dtype: dtype as string, shape: shape as number[], start: dataStart + begin, end: dataStart + end });
  }
  return { file, dataStart, tensors, metadata };
}
