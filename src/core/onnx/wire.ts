// A protobuf wire-format walker over positional reads, for reading a model's signature
// without materializing its weights: length-delimited fields are skipped by their length.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FileError, systemErrorText } from '../fileError';

/** Bad or truncated protobuf input; the message names the file and the byte offset. */
export class OnnxFormatError extends FileError {
  override name = 'OnnxFormatError';
  constructor(
    file: string,
    readonly offset: number,
    detail: string,
  ) {
    super(file, `not a readable ONNX model: ${detail} (at byte ${offset})`);
  }
}

/** Random access to bytes; `read` returns exactly `len` bytes at `pos` (callers check bounds). */
export interface ByteSource {
  readonly label: string;
  readonly size: number;
  read(pos: number, len: number): Uint8Array;
  close(): void;
}

export function bytesSource(bytes: Uint8Array, label: string): ByteSource {
  return { label, size: bytes.length, read: (pos, len) => bytes.subarray(pos, pos + len), close: () => {} };
}

const WINDOW = 64 * 1024;

/** Reads a file through a 64 KiB window: tags and small fields come from one read. */
export function fileSource(path: string): ByteSource {
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
    size = fstatSync(fd).size;
  } catch (e) {
    throw new FileError(path, `cannot read the model: ${systemErrorText(e)}`, 'unreadable');
  }
  let win = new Uint8Array(0);
  let winStart = 0;
  return {
    label: path,
    size,
    read(pos, len) {
      if (pos >= winStart && pos + len <= winStart + win.length) return win.subarray(pos - winStart, pos - winStart + len);
      const want = Math.min(Math.max(len, WINDOW), size - pos);
      const buf = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      if (got < len) throw new OnnxFormatError(path, pos + got, 'the file shrank while it was read');
      win = buf.subarray(0, got);
      winStart = pos;
      return win.subarray(0, len);
    },
    close: () => closeSync(fd),
  };
}

export const WIRE_VARINT = 0,
  WIRE_I64 = 1,
  WIRE_LEN = 2,
  WIRE_I32 = 5;
const MAX_FIELD = 2 ** 29 - 1;

/** One field of a message: `value` for varints, `start`/`end` of the body for LEN fields. */
export interface Field {
  num: number;
  wire: number;
  at: number;
  value: number;
  start: number;
  end: number;
}

export class Walker {
  constructor(readonly src: ByteSource) {}

  fail(offset: number, detail: string): never {
    throw new OnnxFormatError(this.src.label, offset, detail);
  }

  /** A varint as a JS number (exact below 2^53; an int64 negative comes back as that negative number). */
  varint(pos: number, end: number): { value: number; next: number } {
    const bytes = this.src.read(pos, Math.min(10, end - pos));
    let value = 0,
      scale = 1;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      value += (b & 127) * scale;
      scale *= 128;
      if (b < 128) {
        // Ten bytes is a negative int64 (two's complement): in a float, 2^64 − 1 would round to
        // 2^64 and read as 0, so those few are decoded exactly.
        if (value >= 2 ** 63)
          value = Number(
            BigInt.asIntN(
              64,
              bytes.subarray(0, i + 1).reduceRight((acc, x) => (acc << 7n) | BigInt(x & 127), 0n),
            ),
          );
        return { value, next: pos + i + 1 };
      }
    }
    return bytes.length === 10
      ? this.fail(pos, 'a varint longer than 10 bytes')
      : this.fail(pos, 'input ends inside a varint (truncated file?)');
  }

  /** Walk the fields of the message occupying [start, end), calling `visit` for each. */
  fields(start: number, end: number, visit: (f: Field) => void): void {
    let pos = start;
    while (pos < end) {
      const at = pos;
      const tag = this.varint(pos, end);
      const num = Math.floor(tag.value / 8),
        wire = tag.value % 8;
      if (num < 1 || num > MAX_FIELD) this.fail(at, `invalid field number ${num}`);
      pos = tag.next;
      let value = 0,
        bodyStart = pos;
      if (wire === WIRE_VARINT) {
        const v = this.varint(pos, end);
        value = v.value;
        pos = bodyStart = v.next;
      } else if (wire === WIRE_LEN) {
        const len = this.varint(pos, end);
        bodyStart = len.next;
        if (len.value < 0 || bodyStart + len.value > end) {
          this.fail(at, `field ${num} declares ${len.value} bytes but only ${end - bodyStart} remain (truncated file?)`);
        }
        pos = bodyStart + len.value;
      } else if (wire === WIRE_I64 || wire === WIRE_I32) {
        pos += wire === WIRE_I64 ? 8 : 4;
        if (pos > end) this.fail(at, `field ${num} runs past the end of its message (truncated file?)`);
      } else {
        this.fail(at, `field ${num} has wire type ${wire}, which ONNX never uses`);
      }
      visit({ num, wire, at, value, start: bodyStart, end: pos });
    }
  }

  expect(f: Field, wire: number, what: string): void {
    if (f.wire !== wire) this.fail(f.at, `${what} (field ${f.num}) has wire type ${f.wire}, expected ${wire}`);
  }

  /** A LEN field's body as bytes; `limit` refuses absurd sizes for fields meant to be small. */
  body(f: Field, what: string, limit: number): Uint8Array {
    this.expect(f, WIRE_LEN, what);
    if (f.end - f.start > limit) this.fail(f.at, `${what} is ${f.end - f.start} bytes, more than the ${limit} expected`);
    return this.src.read(f.start, f.end - f.start);
  }

  string(f: Field, what: string): string {
    return new TextDecoder().decode(this.body(f, what, 1 << 20));
  }
}
