// A Hugging Face checkpoint (config.json + model.safetensors, or an index and shards) as a
// prepared model: the decoder graph built in memory with its weights pointing into the
// safetensors files, fed packed rows whose token embeddings are read from the checkpoint.
// Preparing reads config.json and the safetensors headers and builds the graph, so every
// missing or mis-shaped tensor is named before a session is made; the weights themselves are
// first read by onnxruntime.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileError, systemErrorText } from '../../core/fileError';
import { buildDecoderModel, HF_IO, readDecoderSpec, type DecoderSpec } from '../../core/hf';
import { readCheckpointWeights } from '../../core/safetensors';
import { fedLength, packBatches } from '../packing';
import { EmbeddingRows } from './embeddings';
import { packedFeeds } from './packedFeeds';
import type { PreparedModel } from './types';

/** config.json beside the weights, parsed. */
export async function readHfConfig(entry: string): Promise<{ file: string; json: unknown }> {
  const file = join(dirname(entry), 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new FileError(file, `cannot be read (${systemErrorText(e)}); a safetensors checkpoint needs its config.json beside its weights`, 'unreadable');
  }
  try {
    return { file, json: JSON.parse(text) };
  } catch (e) {
    throw new FileError(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** The decoder config.json describes; errors name config.json. */
export async function readHfSpec(entry: string): Promise<DecoderSpec> {
  const config = await readHfConfig(entry);
  return readDecoderSpec(config.json, config.file);
}

export async function prepareSafetensors(entry: string): Promise<PreparedModel & { spec: DecoderSpec }> {
  const spec = await readHfSpec(entry);
  const weights = await readCheckpointWeights(entry);
  const { model, embedding } = buildDecoderModel(spec, weights, entry);
  const rows = new EmbeddingRows(embedding);
  return {
    format: 'safetensors', spec, vocab: spec.vocab,
    maxTokens: { tokens: spec.context, says: `the model's context of ${spec.context}` },
    weightsDir: weights.weightsDir, output: HF_IO.output,
    bytes: async () => model,
    batches(seqs, budget) {
      return packBatches(seqs.map((s) => fedLength(s.promptIds.length, s.responseIds.length)), budget).map((b) => ({
        members: b.placements.map((p) => p.sample), rows: b.rows, seqLen: b.rowLength,
        at: b.placements.map(({ row, offset }) => ({ row, offset })),
      }));
    },
    feeds: (seqs, batch) => packedFeeds(seqs, batch, rows, spec.hidden),
  };
}
