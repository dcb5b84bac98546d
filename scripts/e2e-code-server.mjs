// code-server for the end-to-end suite: install it once into a cache folder outside the repository
// and outside $HOME, then start and stop servers on fresh profiles.
// The install recipe (env vars, ripgrep seed, libkrb5-dev) is explained in docs/e2e.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const CODE_SERVER_VERSION = '4.100.3';
// code-server 4.100.3 pins @vscode/ripgrep 1.15.11, whose postinstall downloads this asset unless it is
// already in its cache folder under os.tmpdir(); the download needs a host we cannot reach.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export function cacheRoot() {
  return process.env.CHECKPOINT_COVERAGE_E2E_CACHE || '/var/tmp/checkpoint-coverage-e2e';
}

const log = (msg) => console.log(`[e2e] ${msg}`);

/** Environment for code-server processes: it writes logs under $HOME/.local/share even for --version. */
export function isolatedEnv(home, extra = {}) {
  mkdirSync(home, { recursive: true });
  const { XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, ...rest } = process.env;
  return { ...rest, HOME: home, ...extra };
}

function installedVersion(bin) {
  if (!existsSync(bin)) return null;
  const home = mkdtempSync(join(cacheRoot(), 'home-'));
  try {
    const r = spawnSync(bin, ['--config', '/dev/null', '--version'], { encoding: 'utf8', timeout: 60_000, env: isolatedEnv(home) });
    return r.status === 0 ? r.stdout.trim().split(/\s+/)[0] : null;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function requireSystemTools() {
  const missing = [];
  for (const [what, file] of [
    ['ripgrep', '/usr/bin/rg'],
    ['libkrb5-dev', '/usr/include/gssapi/gssapi.h'],
    ['build-essential', '/usr/bin/g++'],
    ['python3', '/usr/bin/python3'],
  ]) {
    if (!existsSync(file)) missing.push(`${what} (${file})`);
  }
  if (missing.length) {
    throw new Error(
      `code-server needs Debian packages that are missing: ${missing.join(', ')}. ` +
        'Install them as in .ci/run (apt-get install chromium build-essential python3 pkg-config libkrb5-dev ripgrep curl).',
    );
  }
}

/** Returns the code-server binary, installing the pinned version into the cache when it is not there. */
export function ensureCodeServer() {
  const root = cacheRoot();
  const dir = join(root, `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  mkdirSync(root, { recursive: true });
  const have = installedVersion(bin);
  if (have === CODE_SERVER_VERSION) {
    log(`code-server ${have} reused from ${dir}`);
    return bin;
  }
  requireSystemTools();
  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (native modules build from source: 1-3 min)`);
  // Our own partial folder: two suites starting at once on one machine must not build into the
  // same one (the second would delete the first's files mid-build).
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, 'package.json'), '{"name":"checkpoint-coverage-e2e-host","private":true}\n');
  const tmp = mkdtempSync(join(root, 'install-tmp-'));
  try {
    mkdirSync(join(tmp, RIPGREP_CACHE));
    const tar = spawnSync('tar', ['czf', join(tmp, RIPGREP_CACHE, RIPGREP_ASSET), '-C', '/usr/bin', 'rg']);
    if (tar.status !== 0) throw new Error(`could not seed the ripgrep cache: ${tar.stderr}`);
    const env = {
      ...process.env,
      TMPDIR: tmp,
      // code-server's postinstall refuses to run as root without this, and node-pty's `npx node-gyp`
      // aborts without a TTY unless npx may install without asking.
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      // Keep npm's and node-gyp's caches in our folder rather than in $HOME.
      npm_config_cache: join(root, 'npm-cache'),
      npm_config_devdir: join(root, 'node-gyp'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: partial,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status}); see the log above`);
    const got = installedVersion(join(partial, 'node_modules', '.bin', 'code-server'));
    if (got !== CODE_SERVER_VERSION) throw new Error(`installed code-server reports version ${got}, expected ${CODE_SERVER_VERSION}`);
    if (!existsSync(join(partial, 'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg'))) {
      throw new Error('code-server installed without @vscode/ripgrep/bin/rg: the ripgrep seed was not used');
    }
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (installedVersion(bin) === CODE_SERVER_VERSION) {
    // Another suite finished installing first: keep its copy.
    rmSync(partial, { recursive: true, force: true });
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return bin;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.colorTheme': 'Default Light Modern',
};

/** A fresh profile (settings, extensions folder, empty config) under `dir`. */
export function makeProfile(dir) {
  const p = {
    config: join(dir, 'config.yaml'),
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
  };
  mkdirSync(join(p.userData, 'User'), { recursive: true });
  mkdirSync(p.extensions, { recursive: true });
  writeFileSync(p.config, '');
  writeFileSync(join(p.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2) + '\n');
  return p;
}

const profileArgs = (p) => ['--config', p.config, '--user-data-dir', p.userData, '--extensions-dir', p.extensions];

export function installExtension(bin, profile, vsix, env) {
  const r = spawnSync(bin, [...profileArgs(profile), '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server in its own process group (detached = setsid), so that stop() can kill the
 * extension host, pty host and file watchers it forks, which otherwise outlive it.
 */
export async function startServer(bin, profile, { folder, logFile, env }) {
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  const child = spawn(
    bin,
    [
      ...profileArgs(profile),
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      folder,
    ],
    { env, detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    for (const [sig, wait] of [
      ['SIGTERM', 2000],
      ['SIGKILL', 500],
    ]) {
      try {
        process.kill(-child.pid, sig);
      } catch {
        return;
      } // group already gone
      await new Promise((r) => setTimeout(r, wait));
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start-up (${JSON.stringify(exited)}); see ${logFile}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, pid: child.pid, stop };
}
