// A Hugging Face tokenizer.json through @huggingface/tokenizers (pure JavaScript, so the core
// stays free of native code). Eval text is encoded without special tokens: the prompt and the
// response are encoded separately and concatenated as ids, so a BOS or EOS the template would
// add never lands inside a response and is never scored.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { fsErrorCode } from './paths';

export interface TextTokenizer {
  /** The tokenizer.json this came from. */
  file: string;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /** The vocabulary entry of one id (the inspect view shows tokens one by one). */
  idToToken(id: number): string | undefined;
}

export async function loadTokenizer(path: string): Promise<TextTokenizer> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(
      `${path}: cannot read the tokenizer (${e instanceof Error ? e.message : String(e)}); expected a Hugging Face tokenizer.json`,
    );
  }
  if (typeof json !== 'object' || json === null || !('model' in json)) {
    throw new Error(`${path}: expected a Hugging Face tokenizer.json (a JSON object with a "model")`);
  }
  const config = await readTokenizerConfig(join(dirname(path), 'tokenizer_config.json'));
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`${path}: unsupported tokenizer (${e instanceof Error ? e.message : String(e)})`);
  }
  return {
    file: path,
    encode(text) {
      return Int32Array.from(tok.encode(text, { add_special_tokens: false }).ids);
    },
    decode(ids) {
      return tok.decode(Array.from(ids), { skip_special_tokens: false });
    },
    idToToken(id) {
      return tok.id_to_token(id);
    },
  };
}

/**
 * tokenizer_config.json beside tokenizer.json carries settings such as
 * clean_up_tokenization_spaces. It is optional, but one that is there and broken is named: ignoring
 * it would quietly change how tokens read back.
 */
async function readTokenizerConfig(file: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (fsErrorCode(e) === 'ENOENT') return {};
    throw new Error(`${file}: cannot read (${fsErrorCode(e)})`);
  }
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)}); expected the tokenizer's settings as a JSON object`,
    );
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw new Error(`${file}: expected the tokenizer's settings as a JSON object`);
  return c;
}
