// A Hugging Face tokenizer.json through @huggingface/tokenizers (pure JavaScript, so the core
// stays free of native code). Eval text is encoded without special tokens: the prompt and the
// response are encoded separately and concatenated as ids, so a BOS or EOS the template would
// add never lands inside a response and is never scored.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

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
    throw new Error(`${path}: cannot read the tokenizer (${e instanceof Error ? e.message : String(e)}); expected a Hugging Face tokenizer.json`);
  }
  if (typeof json !== 'object' || json === null || !('model' in json)) {
    throw new Error(`${path}: expected a Hugging Face tokenizer.json (a JSON object with a "model")`);
  }
  // tokenizer_config.json beside it carries settings such as clean_up_tokenization_spaces.
  let config: object = {};
  try {
    const c: unknown = JSON.parse(await readFile(join(dirname(path), 'tokenizer_config.json'), 'utf8'));
    if (typeof c === 'object' && c !== null) config = c;
  } catch {
    // Optional.
  }
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
