// GPT-2-shaped decoder (stage 2 fills this in; the options are the agreed API).
import type { BuiltModel } from './external';

export interface Gpt2Options {
  layers: number; width: number; heads: number; vocab: number; context: number; seed: number;
  positionIds?: boolean; past?: boolean; merged?: boolean; float16Logits?: boolean; externalData?: boolean;
}
export interface Gpt2Weights { options: Gpt2Options }
export function gpt2Weights(o: Gpt2Options): Gpt2Weights { return { options: o }; }
export function gpt2Model(_o: Gpt2Options): BuiltModel { throw new Error('gpt2Model: not built yet'); }
