// Reads a file line by line from a stream, so a large eval set never sits in memory as one
// string, and a runaway line (a whole dataset without newlines) is measured and skipped
// instead of loaded.
import { createReadStream } from 'node:fs';

export type RawLine = { line: number; bytes: Buffer } | { line: number; tooLong: number };

export async function* readLines(file: string, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let line = 1;
  const finish = (): RawLine => {
    const out: RawLine = length > maxLineBytes ? { line, tooLong: length } : { line, bytes: Buffer.concat(parts, length) };
    parts = [];
    length = 0;
    line++;
    return out;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      append(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    append(chunk.subarray(start));
  }
  if (length > 0) yield finish();

  function append(b: Buffer): void {
    length += b.length;
    // Past the limit only the count is kept.
    if (length <= maxLineBytes) parts.push(b);
    else parts = [];
  }
}
