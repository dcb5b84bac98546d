// `npm run package`: production bundles, then a Linux x64 VSIX, then a check of what went into it.
// `vsce --target` only labels the VSIX; .vscodeignore decides the content, and a wrong rule there
// silently ships sources, maps or 90 MB of other platforms' onnxruntime. Hence the file-list check.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET = 'linux-x64';

/** Entry names of a zip file, read from its central directory (no zip64: a VSIX is far below 4 GB). */
function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: corrupt central directory at entry ${n}`);
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

// The same intent as .vscodeignore's `!` lines, stated again on purpose: derived from that file, this
// list would approve whatever a wrong rule there ships (say `!node_modules/onnxruntime-node/bin/**`, every
// platform's binaries). Change both together.
const ALLOWED = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/package\.json$/,
  /^extension\/readme\.md$/i,
  /^extension\/LICENSE(\.txt)?$/,
  /^extension\/dist\/[^/]+\.js$/,
  /^extension\/media\//,
  /^extension\/node_modules\/onnxruntime-node\/package\.json$/,
  /^extension\/node_modules\/onnxruntime-node\/dist\/[^/]+\.js$/,
  /^extension\/node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/[^/]+$/,
  /^extension\/node_modules\/onnxruntime-common\/package\.json$/,
  /^extension\/node_modules\/onnxruntime-common\/dist\/cjs\/[^/]+\.js(on)?$/,
];
const FORBIDDEN = [/\.map$/, /\.tsx?$/, /\.d\.ts$/, /(^|\/)(src|webview|test|scripts)\//];
const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/worker.js',
  'extension/dist/webview.js',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
];

/** Problems with a VSIX's file list; empty when it holds exactly what the extension needs. */
function checkVsixEntries(names) {
  const problems = [];
  for (const n of names) {
    if (n.endsWith('/')) continue;
    if (FORBIDDEN.some((re) => re.test(n))) problems.push(`must not ship: ${n}`);
    else if (!ALLOWED.some((re) => re.test(n))) problems.push(`not on the allow-list: ${n}`);
  }
  for (const r of REQUIRED) if (!names.includes(r)) problems.push(`missing: ${r}`);
  return problems;
}

/** The VSIX `npm run package` writes, relative to the repository root (scripts/e2e.mjs installs it). */
export function vsixFile() {
  const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
  return `${name}-${version}-${TARGET}.vsix`;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function main() {
  const root = resolve(fileURLToPath(import.meta.url), '../..');
  process.chdir(root);
  const out = vsixFile();
  run('npm', ['run', 'build', '--', '--production']);
  // Relative README links would make vsce fail (it only knows how to rewrite them for GitHub/GitLab).
  run('npx', ['--no-install', 'vsce', 'package', '--target', TARGET, '--no-rewrite-relative-links', '--out', out]);
  const names = zipEntries(out);
  const problems = checkVsixEntries(names);
  if (problems.length) {
    console.error(`${out}: unexpected content (fix .vscodeignore):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  const size = statSync(out).size;
  console.log(`${out}: ${(size / 2 ** 20).toFixed(1)} MiB (${size} bytes), ${names.length} files, content checked`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
