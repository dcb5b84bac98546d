// `npm run test:e2e`: the extension in a real VS Code (code-server) driven by headless chromium.
// Installs code-server into a cache folder (CHECKPOINT_COVERAGE_E2E_CACHE, default
// /var/tmp/checkpoint-coverage-e2e), packages the VSIX, installs it into a fresh profile, generates the
// demo run into a temporary workspace, starts the server in its own process group and runs
// test/e2e/*.test.ts against it. Everything temporary lives in one folder that is removed at the end;
// code-server, chromium and the tests get that folder as HOME and TMPDIR, so nothing lands in ~ or /tmp.
// Options (env): E2E_VSIX=<file> skips packaging; E2E_KEEP=1 keeps the temporary folder;
// CHECKPOINT_COVERAGE_E2E_SHOTS=<dir> chooses the screenshot folder. Arguments: test files to run.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, ensureCodeServer, installExtension, isolatedEnv, makeProfile, startServer } from './e2e-code-server.mjs';
import { vsixFile } from './package.mjs';

const repo = resolve(fileURLToPath(import.meta.url), '../..');
process.chdir(repo);
const t0 = Date.now();
const stamp = (msg) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

const chromiumPath = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  console.error(`[e2e] ${chromiumPath} is missing: apt-get install chromium (see .ci/run), or set E2E_CHROMIUM`);
  process.exit(1);
}

const root = cacheRoot();
mkdirSync(root, { recursive: true });
const shots = process.env.CHECKPOINT_COVERAGE_E2E_SHOTS || join(root, 'screenshots', new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(shots, { recursive: true });
console.log(`[e2e] screenshots: ${shots}`);
// /tmp is not watched: on a shared machine other processes write there all the time.
const homeBefore = new Set(readdirSync(homedir()));

stamp('code-server');
const bin = ensureCodeServer();

let vsix = process.env.E2E_VSIX;
if (!vsix) {
  stamp('npm run package');
  const r = spawnSync('npm', ['run', 'package'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[e2e] npm run package failed');
    process.exit(1);
  }
  vsix = vsixFile();
}
vsix = resolve(vsix);

const tmp = mkdtempSync(join(root, 'run-'));
const env = isolatedEnv(join(tmp, 'home'), { TMPDIR: join(tmp, 'tmp') });
mkdirSync(env.TMPDIR);
let server = null;
let tests = null;
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (tests && tests.exitCode === null) tests.kill('SIGTERM');
  if (server) await server.stop();
  if (existsSync(join(tmp, 'server.log'))) copyFileSync(join(tmp, 'server.log'), join(shots, 'code-server.log'));
  if (process.env.E2E_KEEP) console.log(`[e2e] kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

let status = 1;
try {
  stamp('profile and extension');
  const profile = makeProfile(join(tmp, 'profile'));
  installExtension(bin, profile, vsix, env);

  stamp('demo run');
  const ws = join(tmp, 'workspace');
  mkdirSync(ws);
  const runDir = join(ws, 'demo-run');
  const cli = join(repo, 'dist', 'cli.js');
  const demo = spawnSync(process.execPath, [cli, 'demo', runDir], { env, encoding: 'utf8', timeout: 300_000 });
  if (demo.status !== 0 || !existsSync(runDir)) {
    throw new Error(`${cli} demo ${runDir} failed (exit ${demo.status ?? demo.signal}): ${(demo.stderr || '').trim()}`);
  }
  // The demo may come pre-scored; the suite wants the extension's worker and the CLI each to score.
  rmSync(join(runDir, '.coverage'), { recursive: true, force: true });
  // The CLI reports on an untouched copy, so its numbers do not come from the extension's store.
  const cliRunDir = join(tmp, 'cli-run');
  cpSync(runDir, cliRunDir, { recursive: true });

  stamp('safetensors run');
  const hfRunDir = join(ws, 'hf-run');
  makeHfRun(hfRunDir);
  const cliHfRunDir = join(tmp, 'cli-hf-run');
  cpSync(hfRunDir, cliHfRunDir, { recursive: true });

  stamp('start code-server');
  server = await startServer(bin, profile, { folder: ws, logFile: join(tmp, 'server.log'), env });
  stamp(`code-server on ${server.url} (process group ${server.pid})`);

  const files = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync('test/e2e')
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join('test/e2e', f));
  const testEnv = {
    ...env,
    E2E_BASE_URL: server.url,
    E2E_WORKSPACE: ws,
    E2E_RUN_DIR: runDir,
    E2E_CLI_RUN_DIR: cliRunDir,
    E2E_CLI: cli,
    E2E_SHOTS: shots,
    E2E_HF_RUN_DIR: hfRunDir,
    E2E_CLI_HF_RUN_DIR: cliHfRunDir,
    E2E_CHROMIUM: chromiumPath,
  };
  stamp(`tests: ${files.join(' ')}`);
  status = await new Promise((res) => {
    tests = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
      env: testEnv,
      stdio: 'inherit',
    });
    tests.on('exit', (code, signal) => res(code ?? (signal ? 1 : 0)));
  });
} catch (e) {
  console.error(`[e2e] ${e instanceof Error ? e.message : e}`);
} finally {
  stamp('stop code-server');
  await cleanup();
}

/**
 * A run of Hugging Face checkpoints as the Trainer lays them out (checkpoint-N/config.json +
 * model.safetensors, one sharded), from the test fixtures: four model families sharing a
 * vocabulary of 64, and their eval samples.
 */
function makeHfRun(dir) {
  const fixtures = join(repo, 'test', 'fixtures', 'hf');
  const steps = { 100: 'gpt2', 200: 'llama-tied-linear-sharded', 300: 'qwen2', 400: 'olmo2' };
  for (const [step, name] of Object.entries(steps)) {
    cpSync(join(fixtures, name), join(dir, `checkpoint-${step}`), { recursive: true, filter: (src) => !src.includes('onnx') });
  }
  const { samples } = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
  writeFileSync(join(dir, 'eval.jsonl'), samples.map((s, i) => JSON.stringify({ id: `s${i}`, ...s })).join('\n') + '\n');
  writeFileSync(join(dir, 'coverage.json'), JSON.stringify({ reference: 'tournament', selectionN: 4 }));
}

const added = readdirSync(homedir()).filter((n) => !homeBefore.has(n));
// Other processes may write there too, so name what appeared rather than fail.
if (added.length) console.log(`[e2e] note: new entries in ${homedir()} during the run: ${added.join(', ')}`);
console.log(`[e2e] screenshots: ${shots}`);
stamp(status === 0 ? 'passed' : `FAILED (exit ${status})`);
process.exit(status);
