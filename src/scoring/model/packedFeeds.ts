// The inputs of a batch of packed rows for the Hugging Face decoder graph (core/hf/decoder.ts):
// each sample sits end to end in its row with positions from 0 and its own segment id, so
// attention sees what the sample alone would; the scored positions (each response token's
// predecessor) are gathered in member order, with their labels.
import * as ort from 'onnxruntime-node';
import { HF_IO } from '../../core/hf';
import type { Sequence } from '../batching';
import { fedLength } from '../packing';
import type { EmbeddingRows } from './embeddings';
import type { BatchFeeds, ModelBatch } from './types';

const i64 = (a: BigInt64Array, dims: number[]): ort.Tensor => new ort.Tensor('int64', a, dims);

export function packedFeeds(seqs: readonly Sequence[], batch: ModelBatch, rows: EmbeddingRows, width: number): BatchFeeds {
  const { rows: R, seqLen: T, members } = batch;
  // Padding reads row 0: any finite row will do, it is never gathered.
  const ids = new Int32Array(R * T);
  const pos = new BigInt64Array(R * T);
  // Padding is its own segment: it attends only to itself and is never gathered.
  const seg = new BigInt64Array(R * T).fill(-1n);
  const scored = members.reduce((a, k) => a + seqs[k].responseIds.length, 0);
  const gather = new BigInt64Array(scored);
  const labels = new BigInt64Array(scored);
  const starts: number[] = [];
  let n = 0;
  members.forEach((k, r) => {
    const { promptIds: prompt, responseIds: response } = seqs[k];
    const { row, offset } = batch.at?.[r] ?? { row: r, offset: 0 };
    const base = row * T + offset;
    const fed = fedLength(prompt.length, response.length);
    for (let t = 0; t < fed; t++) {
      ids[base + t] = t < prompt.length ? prompt[t] : response[t - prompt.length];
      pos[base + t] = BigInt(t);
      seg[base + t] = BigInt(r);
    }
    starts.push(n);
    for (let j = 0; j < response.length; j++, n++) {
      gather[n] = BigInt(base + prompt.length - 1 + j);
      labels[n] = BigInt(response[j]);
    }
  });
  const dims = [R, T];
  const embeds = new Float32Array(R * T * width);
  rows.fill(ids, embeds);
  return {
    starts,
    feeds: {
      [HF_IO.embeds]: new ort.Tensor('float32', embeds, [...dims, width]),
      [HF_IO.positions]: i64(pos, dims),
      [HF_IO.segments]: i64(seg, dims),
      [HF_IO.gather]: i64(gather, [scored]),
      [HF_IO.labels]: i64(labels, [scored]),
    },
  };
}
