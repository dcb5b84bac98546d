// The demo run as the tests see it: an independent, deliberately simple reading of the run-folder
// contract (checkpoint folders named by step, holding .onnx files), and a trainer-like writer.
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';

const STEP_NAME = /^(?:global_step|step|checkpoint|ckpt|iter)[-_]?(\d+)$/i;

export interface CheckpointDir {
  step: number;
  dir: string;
}

/** Checkpoint folders at any depth, sorted by step. */
export function listCheckpointDirs(runDir: string): CheckpointDir[] {
  const out: CheckpointDir[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (name.startsWith('.') || !statSync(p).isDirectory()) continue;
      const m = STEP_NAME.exec(name);
      if (m && readdirSync(p).some((f) => f.endsWith('.onnx'))) out.push({ step: Number(m[1]), dir: p });
      else walk(p);
    }
  };
  walk(runDir);
  return out.sort((a, b) => a.step - b.step);
}

/** The folder name of `src` with its step replaced: `step-1200` -> `step-1300`. */
export function renameStep(src: string, step: number): string {
  const name = basename(src);
  const m = STEP_NAME.exec(name);
  if (!m) throw new Error(`${src}: not a checkpoint folder name`);
  // Keep zero padding (iter_0001200) so the new name looks like the trainer's.
  return name.slice(0, name.length - m[1].length) + String(step).padStart(m[1].length, '0');
}

/**
 * Copies a checkpoint folder the way a trainer writes one: files appear one after the other and
 * grow chunk by chunk. `between` runs after every chunk (the test checks the half-written
 * checkpoint is not picked up); chunks are `pauseMs` apart.
 */
export async function copyCheckpointInPieces(
  src: string,
  dest: string,
  chunks: number,
  pauseMs: number,
  between: (written: number, total: number) => Promise<void>,
): Promise<void> {
  mkdirSync(dest);
  // Weights before the graph, as exporters do: model.onnx last means "complete" for many readers.
  const files = readdirSync(src).sort((a, b) => Number(a.endsWith('.onnx')) - Number(b.endsWith('.onnx')));
  const total = files.reduce((n, f) => n + statSync(join(src, f)).size, 0);
  let written = 0;
  for (const f of files) {
    const data = readFileSync(join(src, f));
    const fd = openSync(join(dest, f), 'w');
    try {
      const size = Math.max(1, Math.ceil(data.length / chunks));
      for (let off = 0; off < data.length; off += size) {
        writeSync(fd, data, off, Math.min(size, data.length - off));
        written += Math.min(size, data.length - off);
        await new Promise((r) => setTimeout(r, pauseMs));
        await between(written, total);
      }
    } finally {
      closeSync(fd);
    }
  }
}
