// Writing safetensors files as the safetensors library does: u64 header length, the JSON
// header padded with spaces to a multiple of 8, then the tensors back to back. The tests and
// the bench use it to make checkpoints; the scorer never writes one.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { DTYPE_BYTES } from './header';

export interface TensorToWrite {
  name: string;
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** The 8-byte length and the padded JSON header for these tensors, in this order. */
export function encodeHeader(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let at = 0;
  for (const t of tensors) {
    const want = t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? NaN);
    if (want !== t.data.length)
      throw new Error(`tensor ${t.name}: ${t.data.length} bytes for ${t.dtype} [${t.shape.join(', ')}] (expected ${want})`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    at += t.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

/** A whole file in memory (small files: tests). */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const head = encodeHeader(tensors, metadata);
  const out = new Uint8Array(head.length + tensors.reduce((a, t) => a + t.data.length, 0));
  out.set(head, 0);
  let at = head.length;
  for (const t of tensors) {
    out.set(t.data, at);
    at += t.data.length;
  }
  return out;
}

/** Streams the file to disk, so a large model costs its tensors and not a second copy. */
export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Promise<void> {
  const out = createWriteStream(path);
  const write = async (b: Uint8Array): Promise<void> => {
    if (!out.write(b)) await once(out, 'drain');
  };
  await write(encodeHeader(tensors, metadata));
  for (const t of tensors) await write(t.data);
  out.end();
  await once(out, 'finish');
}
