// One eval line → one sample, or the reason it is not one. Pure, so it can be fuzzed.
import type { EvalSample } from '../types';
import type { TextTokenizer } from '../tokenizer';

/** A sample before it has a place among the valid samples. */
export type ParsedLine = Omit<EvalSample, 'index' | 'line'>;

export type LineResult = { sample: ParsedLine } | { error: string; id?: string };

const MAX_TOKEN_ID = 0x7fffffff;

export function parseEvalLine(text: string, tokenizer?: TextTokenizer): LineResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: `expected a JSON object, found ${kind(v)}` };
  const o = v as Record<string, unknown>;

  let id: string | undefined;
  if ('id' in o) {
    if (typeof o.id === 'string') id = o.id;
    else if (typeof o.id === 'number' && Number.isFinite(o.id)) id = String(o.id);
    else return { error: `"id" must be a string or a number, found ${kind(o.id)}` };
  }
  const fail = (error: string): LineResult => (id === undefined ? { error } : { error, id });

  let refLogprob: number | undefined;
  if ('ref_logprob' in o) {
    const r = o.ref_logprob;
    // JSON has no NaN or Infinity, but 1e999 parses to Infinity.
    if (typeof r !== 'number' || !Number.isFinite(r)) return fail(`"ref_logprob" must be a finite number, found ${kind(r)}`);
    if (r > 0) return fail(`"ref_logprob" is ${r}; a natural-log probability is at most 0`);
    refLogprob = r;
  }

  const ids = 'prompt_ids' in o || 'response_ids' in o;
  const txt = 'prompt' in o || 'response' in o;
  if (ids && txt) return fail('mixes token ids (prompt_ids/response_ids) with text (prompt/response); use one form per line');
  if (!ids && !txt) return fail('expected "prompt_ids" + "response_ids" (token ids) or "prompt" + "response" (text)');

  let promptIds: Int32Array;
  let responseIds: Int32Array;
  let prompt: string | undefined;
  let response: string | undefined;
  if (ids) {
    for (const k of ['prompt_ids', 'response_ids']) if (!(k in o)) return fail(`missing "${k}"`);
    const p = tokenIds(o.prompt_ids, 'prompt_ids');
    if (typeof p === 'string') return fail(p);
    const r = tokenIds(o.response_ids, 'response_ids');
    if (typeof r === 'string') return fail(r);
    promptIds = p;
    responseIds = r;
  } else {
    for (const k of ['prompt', 'response']) {
      if (!(k in o)) return fail(`missing "${k}"`);
      if (typeof o[k] !== 'string') return fail(`"${k}" must be a string, found ${kind(o[k])}`);
    }
    if (!tokenizer) {
      return fail(
        'has text (prompt/response) but no tokenizer: put a tokenizer.json in the run folder or name one in coverage.json ("tokenizer")',
      );
    }
    prompt = o.prompt as string;
    response = o.response as string;
    promptIds = tokenizer.encode(prompt);
    responseIds = tokenizer.encode(response);
  }
  if (responseIds.length === 0) {
    return fail(ids ? '"response_ids" is empty; expected at least one token' : '"response" gives no tokens; expected at least one');
  }
  const sample: ParsedLine = { promptIds, responseIds };
  if (id !== undefined) sample.id = id;
  if (refLogprob !== undefined) sample.refLogprob = refLogprob;
  if (prompt !== undefined) sample.prompt = prompt;
  if (response !== undefined) sample.response = response;
  return { sample };
}

function tokenIds(v: unknown, key: string): Int32Array | string {
  if (!Array.isArray(v)) return `"${key}" must be an array of token ids, found ${kind(v)}`;
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MAX_TOKEN_ID) {
      return `"${key}"[${i}] is ${typeof x === 'number' ? x : kind(x)}; expected a non-negative integer token id`;
    }
    out[i] = x;
  }
  return out;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return `a ${typeof v}`;
}
