// A test's worker entry bundled into plain JavaScript, the way scripts/build.mjs bundles
// dist/worker.js, for workers that must start without tsx. The bundle goes under
// node_modules/.cache so that its require('onnxruntime-node') resolves as the real worker's does.
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { REPO } from './cli';

export function bundledWorker(entry: string): string {
  const outfile = join(
    REPO,
    'node_modules',
    '.cache',
    'checkpoint-coverage-tests',
    `${entry.replace(/^.*\//, '').replace(/\.ts$/, '')}-${process.pid}.js`,
  );
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['onnxruntime-node'],
    logLevel: 'warning',
  });
  return outfile;
}
