// The folders name their runtime. src/core must stay pure (no vscode, no onnxruntime),
// src/worker and src/scoring never see vscode, and webview/ never imports node or vscode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports, dynamic imports and requires. */
function specifiers(source: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return [...source.matchAll(re)].map((m) => m[1]);
}

function violations(folder: string, banned: (spec: string, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const f of files(join(root, folder))) {
    for (const s of specifiers(readFileSync(f, 'utf8'))) {
      if (banned(s, f)) out.push(`${relative(root, f)} imports '${s}'`);
    }
  }
  return out;
}

const isOrt = (s: string) => s.startsWith('onnxruntime-');
const leaves = (f: string, s: string, into: string[]) =>
  s.startsWith('.') && into.some((d) => join(f, '..', s).startsWith(join(root, d)));

test('the specifier scanner sees every import form', () => {
  const src = `import a from 'x1';\nimport 'x2';\nconst b = require('x3');\nconst c = await import("x4");\nexport { d } from 'x5';`;
  assert.deepEqual(specifiers(src), ['x1', 'x2', 'x3', 'x4', 'x5']);
});

test('src/core imports neither vscode nor onnxruntime, nor the folders that do', () => {
  assert.deepEqual(
    violations('src/core', (s, f) => s === 'vscode' || isOrt(s) || leaves(f, s, ['src/host', 'src/scoring', 'src/worker', 'src/cli'])),
    [],
  );
});

test('src/scoring, src/worker, src/cli and src/shared never import vscode', () => {
  for (const d of ['src/scoring', 'src/worker', 'src/cli', 'src/shared']) {
    assert.deepEqual(violations(d, (s, f) => s === 'vscode' || leaves(f, s, ['src/host'])), [], d);
  }
});

test('webview/ imports no node built-ins, vscode or onnxruntime', () => {
  assert.deepEqual(
    violations('webview', (s) => s === 'vscode' || isOrt(s) || s.startsWith('node:') || ['fs', 'path', 'child_process', 'worker_threads'].includes(s)),
    [],
  );
});

test('src/shared is loaded by the webview too: no node built-ins there', () => {
  assert.deepEqual(violations('src/shared', (s) => s.startsWith('node:') || isOrt(s)), []);
});
