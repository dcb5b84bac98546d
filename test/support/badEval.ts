// Eval files whose badness is in their bytes, written at test time: not UTF-8, UTF-16, and a
// single 100 MB line streamed to disk in 1 MiB pieces (never held in memory whole).
import { closeSync, openSync, writeSync } from 'node:fs';

const VALID = '{"id":"ok","prompt_ids":[1],"response_ids":[2]}';

/** Lines 2-4 are not UTF-8 (a stray 0xFF, an overlong '/', an encoded surrogate); 1 and 5 are fine. */
export function notUtf8Eval(): Buffer {
  return Buffer.concat([
    Buffer.from(`${VALID}\n`),
    Buffer.from('{"id":"ff","prompt_ids":[1],"response_ids":[2],"note":"'),
    Buffer.from([0xff]),
    Buffer.from('"}\n'),
    Buffer.from('{"id":"overlong","prompt":"'),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from('","response":"x"}\n'),
    Buffer.from('{"id":"surrogate","prompt":"'),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from('","response":"x"}\n'),
    // A byte-order mark and a CRLF ending, as Windows tools write them: still a valid line.
    Buffer.from(`\uFEFF${VALID.replace('"ok"', '"crlf"')}\r\n`),
  ]);
}

/** The same lines saved as UTF-16LE with a byte-order mark (PowerShell's `>` does this). */
export function utf16Eval(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${VALID}\n${VALID}\n`, 'utf16le')]);
}

/**
 * A valid line, then one line of `bytes` bytes (a JSON string that never ends in time), then
 * another valid line; written in 1 MiB pieces from one reused buffer.
 */
export function writeHugeLineEval(file: string, bytes = 100 * 1024 * 1024): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, `${VALID}\n{"id":"huge","prompt_ids":[1],"response_ids":[2],"pad":"`);
    const head = Buffer.byteLength('{"id":"huge","prompt_ids":[1],"response_ids":[2],"pad":"');
    const piece = Buffer.alloc(1 << 20, 'a');
    let left = bytes - head - 2;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      writeSync(fd, piece, 0, n);
      left -= n;
    }
    writeSync(fd, `"}\n${VALID.replace('"ok"', '"after"')}\n`);
  } finally {
    closeSync(fd);
  }
}
