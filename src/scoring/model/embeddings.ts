// Token embeddings looked up in the checkpoint file, one row per distinct token of a batch,
// for the decoder's inputs_embeds. Reading rows (a few kilobytes each) through the page cache
// keeps the table out of the process: onnxruntime mapping it for a Gather would make it all
// resident as an eval set's tokens touch its pages, beside a tied head's packed copy.
import { closeSync, openSync, readSync } from 'node:fs';
import { FileError, systemErrorText } from '../../core/fileError';
import type { WeightRef } from '../../core/safetensors';

/** IEEE half to float: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals and Inf/NaN too. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);

/** Writes row `raw` (the tensor's dtype) into `out` from `at` as float32. */
function decodeRow(dtype: string, raw: Uint8Array, out: Float32Array, at: number, width: number): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < width; i++) {
    if (dtype === 'F32') out[at + i] = view.getFloat32(4 * i, true);
    else if (dtype === 'BF16') {
      bits[0] = view.getUint16(2 * i, true) << 16;
      out[at + i] = asFloat[0];
    } else out[at + i] = halfToFloat(view.getUint16(2 * i, true));
  }
}

export class EmbeddingRows {
  private readonly width: number;
  private readonly rowBytes: number;

  constructor(private readonly table: WeightRef) {
    this.width = table.shape[1];
    this.rowBytes = (table.end - table.start) / table.shape[0];
  }

  /**
   * out[k·width …] = the row of ids[k], for every k; each distinct id is read once. The file
   * is opened per batch: a batch reads thousands of rows, an open costs microseconds, and no
   * descriptor outlives a job that stops between batches.
   */
  fill(ids: ArrayLike<number>, out: Float32Array): void {
    let fd: number;
    try {
      fd = openSync(this.table.file, 'r');
    } catch (e) {
      throw new FileError(this.table.file, `cannot read the weights file (${systemErrorText(e)})`, 'unreadable');
    }
    try {
      const seen = new Map<number, number>();
      const raw = new Uint8Array(this.rowBytes);
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k];
        const first = seen.get(id);
        if (first !== undefined) {
          out.copyWithin(k * this.width, first * this.width, (first + 1) * this.width);
          continue;
        }
        const got = readSync(fd, raw, 0, this.rowBytes, this.table.start + id * this.rowBytes);
        if (got !== this.rowBytes)
          throw new FileError(
            this.table.file,
            `the file ended inside tensor ${this.table.name} (changed while being scored?)`,
            'unreadable',
          );
        decodeRow(this.table.dtype, raw, out, k * this.width, this.width);
        seen.set(id, k);
      }
    } finally {
      closeSync(fd);
    }
  }
}
