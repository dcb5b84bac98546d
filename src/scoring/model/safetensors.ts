// A Hugging Face checkpoint (config.json + model.safetensors, or an index and shards) as a
// prepared model: the decoder graph built in memory with its weights pointing into the
// safetensors files (hfCheckpoint.ts), fed packed rows whose token embeddings are read from
// the checkpoint. Preparing names every missing or mis-shaped tensor before a session is made.
import type { DecoderSpec } from '../../core/hf';
import { HF_IO } from '../../core/hf';
import { fedLength, packBatches } from '../packing';
import { EmbeddingRows } from './embeddings';
import { loadHfCheckpoint } from './hfCheckpoint';
import { packedFeeds } from './packedFeeds';
import type { PreparedModel } from './types';

export async function prepareSafetensors(entry: string): Promise<PreparedModel & { spec: DecoderSpec }> {
  const { spec, weightsDir, decoder, limits } = await loadHfCheckpoint(entry);
  const rows = new EmbeddingRows(decoder.embedding);
  return {
    format: 'safetensors',
    spec,
    ...limits,
    weightsDir,
    output: HF_IO.output,
    bytes: async () => decoder.model,
    batches(seqs, budget) {
      return packBatches(
        seqs.map((s) => fedLength(s.promptIds.length, s.responseIds.length)),
        budget,
      ).map((b) => ({
        members: b.placements.map((p) => p.sample),
        rows: b.rows,
        seqLen: b.rowLength,
        at: b.placements.map(({ row, offset }) => ({ row, offset })),
      }));
    },
    feeds: (seqs, batch) => packedFeeds(seqs, batch, rows, spec.hidden),
  };
}
