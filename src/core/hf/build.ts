// From config.json and the checkpoint's safetensors headers to a serialized ONNX model
// whose weights are references into the safetensors files.
import { modelMsg } from '../onnx/builder';
import { encodeModel } from '../onnx/encode';
import { IR_VERSION, OPSET } from '../onnx/model-build';
import type { CheckpointWeights, WeightRef } from '../safetensors';
import { familyOf, type DecoderSpec } from './config';
import { Decoder } from './decoder';
import { gpt2Body } from './gpt2';
import { gptNeoxBody } from './gptNeox';
import { llamaBody } from './llama';

const BODIES = { gpt2: gpt2Body, gpt_neox: gptNeoxBody, llama: llamaBody };

export interface DecoderModel {
  /** The serialized graph. */
  model: Uint8Array;
  /** The token embedding table [vocab, hidden], which the scorer reads inputs_embeds from. */
  embedding: WeightRef;
}

/**
 * The scoring graph for `spec` over `weights`; `label` names the checkpoint in messages about
 * missing tensors. Throws naming the file when a tensor is missing, mis-shaped or of a dtype
 * we cannot compute with.
 */
export function buildDecoderModel(spec: DecoderSpec, weights: Pick<CheckpointWeights, 'tensors'>, label: string): DecoderModel {
  const d = new Decoder(spec, weights.tensors, label);
  BODIES[familyOf(spec.modelType)](d);
  const model = encodeModel(
    modelMsg(d.g.graph(), {
      opset: OPSET,
      irVersion: IR_VERSION,
      producerName: 'checkpoint-coverage-hf',
      metadata: { max_position_embeddings: String(spec.context), model_type: spec.modelType },
    }),
  );
  return { model, embedding: d.embedding! };
}
