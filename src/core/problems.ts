// How a bad input is worded for a person: where it is, then what is wrong.
import { sampleName } from './evalset';
import type { InputProblem } from './types';

/**
 * `file: message`; a problem on a line of the eval set names its sample as every other message
 * does (`file:line (id X): message`). The other subjects (a config key, a tensor name) are
 * already stated in their messages.
 */
export function formatProblem(p: InputProblem): string {
  return `${p.line === undefined ? p.file : sampleName(p.file, { line: p.line, id: p.subject })}: ${p.message}`;
}
