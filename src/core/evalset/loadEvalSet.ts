// The evaluation set: eval.jsonl streamed line by line, each line parsed on its own so one
// bad line is reported (file, line, id, reason) while the others load.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { EvalSample, InputProblem } from '../types';
import type { TextTokenizer } from '../tokenizer';
import { readLines } from './readLines';
import { parseEvalLine } from './parseLine';
import { fsErrorCode as code } from '../paths';

export interface EvalSet {
  file: string;
  samples: EvalSample[];
  /** Bad lines, each with its line number and reason; those lines are not in `samples`. */
  problems: InputProblem[];
  /** SHA-256 over the samples' token ids in order (see evalSetHash). */
  hash: string;
}

export interface LoadEvalOptions {
  tokenizer?: TextTokenizer;
  /** A longer line is reported and skipped, never held in memory. Default 64 MiB. */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export class EvalSetError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly problems: InputProblem[] = [],
  ) {
    super(`${file}: ${message}`);
    this.name = 'EvalSetError';
  }
}

export async function loadEvalSet(file: string, opts: LoadEvalOptions = {}): Promise<EvalSet> {
  const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  try {
    if (!(await stat(file)).isFile()) throw new EvalSetError(file, 'expected an eval file (JSON lines), found a folder');
  } catch (e) {
    if (e instanceof EvalSetError) throw e;
    throw new EvalSetError(file, `cannot read the eval set (${code(e)})`);
  }
  const samples: EvalSample[] = [];
  const problems: InputProblem[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  try {
    for await (const raw of readLines(file, maxLineBytes)) {
      lines = raw.line;
      const report = (message: string, id?: string): void => {
        problems.push(id === undefined ? { file, line: raw.line, message } : { file, line: raw.line, subject: id, message });
      };
      if ('tooLong' in raw) {
        report(`line of ${raw.tooLong} bytes is longer than the ${maxLineBytes}-byte limit; skipped`);
        continue;
      }
      let text: string;
      try {
        text = utf8.decode(raw.bytes);
      } catch {
        // Editors on Windows save UTF-16 with a byte-order mark; say so rather than just "invalid".
        const utf16 =
          raw.line === 1 &&
          raw.bytes.length >= 2 &&
          ((raw.bytes[0] === 0xff && raw.bytes[1] === 0xfe) || (raw.bytes[0] === 0xfe && raw.bytes[1] === 0xff));
        report(
          utf16 ? 'not valid UTF-8: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8' : 'not valid UTF-8',
        );
        continue;
      }
      // Blank lines (a trailing newline, a separator) carry nothing and are skipped silently.
      if (text.trim() === '') continue;
      const r = parseEvalLine(text, opts.tokenizer);
      if ('error' in r) report(r.error, r.id);
      else samples.push({ index: samples.length, line: raw.line, ...r.sample });
    }
  } catch (e) {
    throw new EvalSetError(file, `cannot read the eval set (${code(e)})`, problems);
  }
  if (samples.length === 0) {
    if (problems.length === 0) throw new EvalSetError(file, 'the eval set is empty; expected one JSON object per line');
    const first = problems[0];
    throw new EvalSetError(file, `no valid sample in ${lines} lines; line ${first.line}: ${first.message}`, problems);
  }
  return { file, samples, problems, hash: evalSetHash(samples) };
}

/**
 * The key under which scores are stored: token ids only, in order. Whether the ids came from
 * text, the ref_logprob values, blank or bad lines in between: none of these changes a
 * model's log-probabilities, so none changes the hash.
 */
export function evalSetHash(samples: readonly EvalSample[]): string {
  const h = createHash('sha256');
  h.update('checkpoint-coverage eval v1\n');
  const len = Buffer.alloc(4);
  for (const s of samples) {
    for (const ids of [s.promptIds, s.responseIds]) {
      len.writeUInt32LE(ids.length);
      h.update(len);
      h.update(littleEndian(ids));
    }
  }
  return h.digest('hex');
}

function littleEndian(ids: Int32Array): Uint8Array {
  if (endianness() === 'LE') return new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
  const b = Buffer.alloc(ids.byteLength);
  ids.forEach((v, i) => b.writeInt32LE(v, i * 4));
  return b;
}
