// The run both extension-against-CLI benches score (bench/session.ts, bench/panel-e2e.test.ts):
// `checkpoints` tiny bigram models in step folders and an eval set of `samples` short random
// samples, all from one seed, so every bench run scores the same work.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/core/demo/chain';
import { bigramModel, writeModel } from '../../src/core/onnx/models';

export const BIGRAM_VOCAB = 16;

export function writeBigramRun(root: string, checkpoints: number, samples: number): void {
  const r = seededRandom(11);
  mkdirSync(root, { recursive: true });
  for (let k = 1; k <= checkpoints; k++) {
    const folder = join(root, `step-${k * 100}`);
    mkdirSync(folder);
    const table = Float32Array.from({ length: BIGRAM_VOCAB * BIGRAM_VOCAB }, () => r() * 4);
    writeModel(folder, 'model.onnx', bigramModel({ table, vocab: BIGRAM_VOCAB }));
  }
  const ids = (len: number) => Array.from({ length: len }, () => Math.floor(r() * BIGRAM_VOCAB));
  const lines = Array.from({ length: samples }, (_, i) =>
    JSON.stringify({ id: `s${i}`, prompt_ids: ids(1 + Math.floor(r() * 6)), response_ids: ids(1 + Math.floor(r() * 9)) }),
  );
  writeFileSync(join(root, 'eval.jsonl'), lines.join('\n') + '\n');
}
