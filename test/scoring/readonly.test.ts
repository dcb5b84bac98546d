// We never write inside checkpoint folders, ONNX or safetensors: every file and folder of the
// run outside the store (`.coverage/`) keeps its names, sizes and mtimes through a full CLI
// session (runs, score, report with a checkpoint as the reference model) and a full extension
// session over the real engine (scan, score, report, inspect, rescore, close). Folder mtimes
// are compared too, so a temp file created and removed inside a checkpoint folder would show
// (the run root's own mtime changes when `.coverage/` is created; its entries are compared
// instead).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { command as report } from '../../src/cli/report';
import { command as runs } from '../../src/cli/runs';
import { command as score } from '../../src/cli/score';
import { writeModel } from '../../src/core/onnx/models';
import { createEngine } from '../../src/host/engineAdapter';
import { RunSession } from '../../src/host/runSession';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { callCommand, fileScope, settle } from '../support/cli';
import { externalWeightsModel } from '../support/badModels';
import { makeRun } from './faultsRun';
import { HF_FIXTURES } from '../support/hfFixtures';

/** path → kind, size and mtime of everything under `root` except the store. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const rel = relative(root, p);
      if (rel === '.coverage') continue;
      const st = statSync(p);
      out[rel] = `${st.isDirectory() ? 'dir' : 'file'} ${st.size} ${st.mtimeMs}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/** ONNX checkpoints (one with external weights) and safetensors ones (one file; shards). */
function runWithExternalWeights(t: { after(fn: () => void): void }): string {
  const root = makeRun(t, [100, 300], 30);
  mkdirSync(join(root, 'step-200'));
  writeModel(join(root, 'step-200'), 'model.onnx', externalWeightsModel());
  const noOnnx = (src: string) => !src.includes('onnx');
  cpSync(join(HF_FIXTURES, 'llama'), join(root, 'checkpoint-400'), { recursive: true, filter: noOnnx });
  cpSync(join(HF_FIXTURES, 'llama-tied-linear-sharded'), join(root, 'checkpoint-500'), { recursive: true, filter: noOnnx });
  return root;
}

// One run for each test, built together so the file waits out the settle window once.
const lifetime = fileScope();
let cliRun: string;
let sessionRun: string;
before(async () => {
  cliRun = runWithExternalWeights(lifetime);
  sessionRun = runWithExternalWeights(lifetime);
  await settle();
});

test('the CLI (runs, score, report with a reference model) changes nothing outside .coverage/', async () => {
  const root = cliRun;
  const before = snapshot(root);
  assert.ok(before['step-200/model.onnx_data'], 'the run has external weights');
  assert.ok(before['checkpoint-500/model-00002-of-00002.safetensors'], 'the run has safetensors shards');
  assert.equal((await callCommand(runs, [root])).code, 0);
  const s = await callCommand(score, [root, '--provider', 'cpu']);
  assert.equal(s.code, 0, s.err);
  const r = await callCommand(report, [root, '--json', '--provider', 'cpu', '--reference', join(root, 'step-300', 'model.onnx')]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).checkpoints.length, 5);
  assert.deepEqual(snapshot(root), before);
});

test('an extension session (scan, score, report, inspect, rescore, close) changes nothing outside .coverage/', async () => {
  const root = sessionRun;
  const before = snapshot(root);
  const s = new RunSession(root, {
    engine: createEngine({ isTrusted: () => true, log: () => undefined }),
    settings: { ...DEFAULT_SETTINGS, executionProvider: 'cpu', threads: 1 },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    isTrusted: () => true,
  });
  try {
    await s.open();
    await s.idle();
    assert.deepEqual(
      s.snapshot().rows.map((r) => r.state),
      ['done', 'done', 'done', 'done', 'done'],
    );
    const inspected = await s.inspect('step-200/model.onnx');
    assert.deepEqual([inspected.step, inspected.path, inspected.model], [200, 'step-200/model.onnx', 'onnx']);
    const sharded = await s.inspect('checkpoint-500/model.safetensors.index.json');
    assert.deepEqual([sharded.step, sharded.model], [500, 'safetensors llama']);
    await s.rescore();
    await s.idle();
    assert.deepEqual(
      s.snapshot().rows.map((r) => r.state),
      ['done', 'done', 'done', 'done', 'done'],
    );
  } finally {
    // Closing ends the worker and saves the hash cache: look once that is done, not after a guess.
    await s.disposeAndWait();
  }
  assert.deepEqual(snapshot(root), before);
  assert.ok(readdirSync(join(root, '.coverage', 'scores')).length >= 5, 'the scores went to the store');
});
