// The score file format: round trip, and every kind of damage is detected rather than read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { crc32, decodeScoreRecord, encodeScoreRecord, storeFileName, type ScoreRecord } from '../../src/core/store';
import { readStoredScores, writeStoredScores, type StoreWriteIO } from '../../src/core/store/files';
import { checkpointContentHash } from '../../src/core/store/contentHash';
import { HashCache } from '../../src/core/hashcache';
import { TEST_KEY, testRecord, tokenScores } from '../support/scores';
import { tempDir } from '../support/temp';

const key = TEST_KEY;

/** Token log-probs from the seed; sample 1 (when there is one) skipped: NaN and listed as skipped. */
function record(counts: number[], seed = 1): ScoreRecord {
  const scores = tokenScores(counts, (k) => -((k * 7919 + seed) % 1000) / 97);
  if (counts.length > 1) scores.seqLogprob[1] = NaN;
  return testRecord(scores, { info: { skipped: counts.length > 1 ? [{ index: 1, line: 2, reason: 'longer than the context' }] : [] } });
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('round trip keeps every number bit for bit, NaN included', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(40), { maxLength: 30 }), fc.nat(), (counts, seed) => {
      const rec = record(counts, seed);
      const r = decodeScoreRecord(encodeScoreRecord(rec), key);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.record, rec);
    }),
    { numRuns: 100 },
  );
});

test('a file decoded from an unaligned buffer still reads', () => {
  const bytes = encodeScoreRecord(record([3, 4, 5]));
  const shifted = new Uint8Array(bytes.length + 3).subarray(3);
  shifted.set(bytes);
  assert.ok(decodeScoreRecord(shifted, key).ok);
});

test('every truncation and every single-bit flip is detected', () => {
  const bytes = encodeScoreRecord(record([5, 0, 7, 2]));
  for (let len = 0; len < bytes.length; len++) {
    assert.equal(decodeScoreRecord(bytes.subarray(0, len), key).ok, false, `truncated to ${len}`);
  }
  for (let i = 0; i < bytes.length; i++) {
    for (const bit of [0, 3, 7]) {
      const bad = bytes.slice();
      bad[i] ^= 1 << bit;
      assert.equal(decodeScoreRecord(bad, key).ok, false, `bit ${bit} of byte ${i}`);
    }
  }
  const longer = new Uint8Array(bytes.length + 8);
  longer.set(bytes);
  assert.equal(decodeScoreRecord(longer, key).ok, false);
});

test('a file for another key is refused with the field that differs', () => {
  const bytes = encodeScoreRecord(record([1, 2]));
  const r = decodeScoreRecord(bytes, { ...key, scorerVersion: '2' });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /scorerVersion is 1, expected 2/);
});

test('inconsistent arrays are refused at encode time', () => {
  const rec = record([2, 2]);
  rec.scores.tokenOffsets[1] = 3;
  assert.throws(() => encodeScoreRecord(rec), /prefix sum/);
});

test('file names differ for keys that differ only past the readable prefix', () => {
  const a = storeFileName(key);
  const b = storeFileName({ ...key, checkpointHash: 'a'.repeat(63) + 'c' });
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9-]+\.ccscores$/);
});

test('write, read back, then a damaged file reads as invalid and no temp file is left', async (t) => {
  const dir = tempDir(t);
  assert.equal((await readStoredScores(dir, key)).status, 'missing');
  const rec = record([4, 1, 3]);
  const file = await writeStoredScores(join(dir, 'scores'), encodeScoreRecord(rec), key);
  assert.deepEqual(readdirSync(join(dir, 'scores')), [storeFileName(key)]);
  const back = await readStoredScores(join(dir, 'scores'), key);
  assert.equal(back.status, 'ok');
  assert.deepEqual(back.status === 'ok' && back.record, rec);
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 13));
  const bad = await readStoredScores(join(dir, 'scores'), key);
  assert.equal(bad.status, 'invalid');
});

test('a failed write names the file and leaves nothing behind', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'scores', storeFileName(key));
  // A file where the folder should be: mkdir fails as a read-only disk would, and the file stays.
  writeFileSync(join(dir, 'scores'), 'x');
  await assert.rejects(writeStoredScores(join(dir, 'scores'), encodeScoreRecord(record([1])), key), (e: Error) =>
    e.message.startsWith(`cannot write scores to ${file}: `),
  );
  assert.deepEqual([readdirSync(dir), readFileSync(join(dir, 'scores'), 'utf8')], [['scores'], 'x']);
  // A write that fails half way (an I/O error after some bytes): its temp file is removed.
  const scores = join(dir, 'store');
  const failing: StoreWriteIO = {
    async open(path) {
      return {
        async writeFile(data: Uint8Array) {
          writeFileSync(path, data.subarray(0, 10));
          throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        },
        async sync() {},
        async close() {},
      };
    },
  };
  await assert.rejects(writeStoredScores(scores, encodeScoreRecord(record([1])), key, failing), /EIO: i\/o error, write/);
  assert.deepEqual(readdirSync(scores), [], 'no temp file and no score file');
});

test('content hash covers the weight files, and a shared cache hashes unchanged files once', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'ck'));
  const model = join(dir, 'ck', 'model.onnx');
  const data = join(dir, 'ck', 'model.onnx.data');
  writeFileSync(model, 'graph');
  writeFileSync(data, 'weights-1');
  const entry = { step: 1, path: 'ck/model.onnx', modelPath: model, dataPaths: [data], sameStep: [] };
  const cache = new HashCache();
  const h1 = await checkpointContentHash(entry, cache);
  assert.match(h1, /^[0-9a-f]{64}$/);
  assert.equal(await checkpointContentHash(entry, cache), h1);
  assert.equal(cache.hashed, 2);
  assert.equal(await checkpointContentHash(entry), h1);
  writeFileSync(data, 'weights-two');
  assert.notEqual(await checkpointContentHash(entry, cache), h1);
  await assert.rejects(checkpointContentHash({ ...entry, dataPaths: [join(dir, 'gone')] }), /gone: cannot read checkpoint file/);
});

test('saves of the hash cache asked for at once are written one after the other, and none is lost', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'store', 'hashes.json');
  const files = Array.from({ length: 20 }, (_, i) => join(dir, `f${i}`));
  files.forEach((f, i) => writeFileSync(f, `content ${i}`));
  const cache = new HashCache(file);
  // A save after each new hash, none awaited before the next hash: as a rescan and a job do.
  const saves: Promise<void>[] = [];
  for (const f of files) {
    await cache.hash(f, 1, 1);
    saves.push(cache.save());
  }
  await Promise.all(saves);
  assert.deepEqual(readdirSync(join(dir, 'store')), ['hashes.json'], 'no temp file left');
  const again = await HashCache.forStore(join(dir, 'store'));
  for (const f of files) await again.hash(f, 1, 1);
  assert.equal(again.hashed, 0, 'every entry was in the file');
});
