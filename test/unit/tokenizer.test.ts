// A tiny BPE tokenizer.json written here, encoded and decoded through the real library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer } from '../../src/core/tokenizer';
import { tinyTokenizerJson } from '../support/tokenizer';
import { tempDir } from '../support/temp';

test('encodes with the exact ids of the BPE merges and no special tokens', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'tokenizer.json');
  writeFileSync(file, JSON.stringify(tinyTokenizerJson()));
  const tok = await loadTokenizer(file);
  assert.deepEqual(tok.encode('hello world'), Int32Array.from([9, 10, 5, 11, 4, 12]));
  assert.deepEqual(tok.encode('hell'), Int32Array.from([8]));
  assert.deepEqual(tok.encode('lol'), Int32Array.from([4, 5, 4]));
  assert.deepEqual(tok.encode('hex'), Int32Array.from([6, 1]));
  assert.deepEqual(tok.encode(''), new Int32Array(0));
  assert.equal(tok.idToToken(9), 'hello');
  assert.equal(tok.idToToken(99), undefined);
  assert.equal(tok.decode([9]), 'hello');
  assert.equal(tok.file, file);
});

test('a file that is not a tokenizer is an error naming it', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'bad.json'), '{"model": ');
  writeFileSync(join(dir, 'arr.json'), '[1]');
  writeFileSync(join(dir, 'odd.json'), JSON.stringify({ model: { type: 'NoSuchModel', vocab: {} } }));
  await assert.rejects(
    loadTokenizer(join(dir, 'bad.json')),
    /bad\.json: cannot read the tokenizer .*expected a Hugging Face tokenizer\.json/,
  );
  await assert.rejects(loadTokenizer(join(dir, 'arr.json')), /arr\.json: expected a Hugging Face tokenizer\.json/);
  await assert.rejects(loadTokenizer(join(dir, 'odd.json')), /odd\.json: unsupported tokenizer/);
  await assert.rejects(loadTokenizer(join(dir, 'none.json')), /none\.json: cannot read the tokenizer \(ENOENT/);
});

test('tokenizer_config.json beside it: optional, but a broken one is an error naming it', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'tokenizer.json');
  const config = join(dir, 'tokenizer_config.json');
  writeFileSync(file, JSON.stringify(tinyTokenizerJson()));
  // None there: the tokenizer loads and encodes as usual.
  assert.deepEqual((await loadTokenizer(file)).encode('hell'), Int32Array.from([8]));
  const fails = async (content: string, why: RegExp): Promise<void> => {
    writeFileSync(config, content);
    await assert.rejects(
      loadTokenizer(file),
      (e: Error) => {
        assert.ok(e.message.startsWith(`${config}: `), e.message);
        assert.match(e.message.slice(config.length), why);
        return true;
      },
      content,
    );
  };
  await fails('{"clean_up_tokenization_spaces": ', /^: not valid JSON \(.*\); expected the tokenizer's settings as a JSON object$/);
  for (const notObject of ['[1]', 'null', '"x"', '3']) await fails(notObject, /^: expected the tokenizer's settings as a JSON object$/);
  writeFileSync(config, '{}');
  assert.deepEqual((await loadTokenizer(file)).encode('hell'), Int32Array.from([8]));
});
