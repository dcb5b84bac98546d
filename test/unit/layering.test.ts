// The folders name their runtime, and layering.walls.json says what each may not import. The
// linter reads the same file; this test checks it with its own scanner, which also sees require()
// and import(), and it looks for import cycles with type imports included (the lint rule skips them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const root = join(__dirname, '..', '..');

interface Area {
  path: string;
  runtime: string;
  packages: string[];
  folders: string[];
  nodeBuiltins: boolean;
}

const { areas } = JSON.parse(readFileSync(join(root, 'layering.walls.json'), 'utf8')) as { areas: Area[] };

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => {
    const p = join(path, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|js|mjs)$/.test(name) ? [p] : [];
  });
}

/** Module specifiers of static imports, dynamic imports and requires. */
function specifiers(source: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return [...source.matchAll(re)].map((m) => m[1]);
}

const within = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

/** Why `spec`, imported by `file`, breaks one of the area's walls, or null. */
function breach(area: Area, file: string, spec: string): string | null {
  for (const p of area.packages) {
    if (p.endsWith('*') ? spec.startsWith(p.slice(0, -1)) : spec === p || spec.startsWith(`${p}/`)) return `package ${p}`;
  }
  if (area.nodeBuiltins && (spec.startsWith('node:') || builtinModules.includes(spec))) return 'a node built-in';
  if (spec.startsWith('.')) {
    const target = join(dirname(file), spec);
    const folder = area.folders.find((f) => within(target, join(root, f)));
    if (folder) return folder;
  }
  return null;
}

test('the specifier scanner sees every import form', () => {
  const src = `import a from 'x1';\nimport 'x2';\nconst b = require('x3');\nconst c = await import("x4");\nexport { d } from 'x5';`;
  assert.deepEqual(specifiers(src), ['x1', 'x2', 'x3', 'x4', 'x5']);
});

test('a wall stops packages by name or prefix, node built-ins with or without node:, and folders by path', () => {
  const area: Area = { path: 'src/core', runtime: '', packages: ['vscode', 'onnxruntime-*'], folders: ['src/host'], nodeBuiltins: true };
  const f = join(root, 'src/core/x.ts');
  const hits = ['vscode', 'onnxruntime-node', 'fs', 'fs/promises', 'node:path', '../host/panel', '../host'];
  const misses = ['vscodex', '@vscode/webview-ui-toolkit', './host/x', '../hostile/x', 'chart.js'];
  assert.deepEqual(
    hits.filter((s) => breach(area, f, s) === null),
    [],
  );
  assert.deepEqual(
    misses.filter((s) => breach(area, f, s) !== null),
    [],
  );
});

test('every entry of src/ chose its walls in layering.walls.json', () => {
  const named = new Set(areas.map((a) => a.path));
  assert.deepEqual(
    readdirSync(join(root, 'src'))
      .map((n) => `src/${n}`)
      .filter((p) => !named.has(p)),
    [],
  );
});

for (const area of areas) {
  test(`${area.path} keeps its walls: ${area.runtime}`, () => {
    const out: string[] = [];
    for (const f of files(join(root, area.path))) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        const why = breach(area, f, s);
        if (why) out.push(`${relative(root, f)} imports '${s}' (${why})`);
      }
    }
    assert.deepEqual(out, []);
  });
}

/** The file a relative specifier names (TypeScript's extensionless and folder-index forms). */
function resolveFile(from: string, spec: string): string | null {
  const base = join(dirname(from), spec);
  return [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile()) ?? null;
}

test('no import cycle in src/ or webview/, type imports included', () => {
  const graph = new Map<string, string[]>();
  for (const f of [...files(join(root, 'src')), ...files(join(root, 'webview'))]) {
    const deps = specifiers(readFileSync(f, 'utf8')).filter((s) => s.startsWith('.'));
    graph.set(
      f,
      deps.map((s) => resolveFile(f, s)).filter((p): p is string => p !== null),
    );
  }
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (f: string): void => {
    const at = path.indexOf(f);
    if (at >= 0) {
      cycles.push([...path.slice(at), f].map((p) => relative(root, p)).join(' → '));
      return;
    }
    if (done.has(f)) return;
    path.push(f);
    for (const d of graph.get(f) ?? []) visit(d);
    path.pop();
    done.add(f);
  };
  for (const f of graph.keys()) visit(f);
  assert.deepEqual(cycles, []);
});

test('the linter stops what the walls stop (eslint.config.mjs reads the same file)', async () => {
  const { ESLint } = await import('eslint');
  // Only the wall rules matter here; the type-aware rules need files on disk, which the probes are not.
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        'import-x/no-cycle': 'off',
        '@typescript-eslint/no-unused-vars': 'off',
      },
    },
  });
  const missed: string[] = [];
  for (const area of areas.filter((a) => !/\.[cm]?[jt]s$/.test(a.path))) {
    const probe = join(root, area.path, 'wall-probe.ts');
    const specs = area.packages.map((p) => p.replace(/\*$/, 'node'));
    if (area.nodeBuiltins) specs.push('fs', 'node:path');
    for (const folder of area.folders) {
      // The folder rule resolves the import, so the probe names a file that exists.
      const target = files(join(root, folder)).find((f) => f.endsWith('.ts'));
      if (target) specs.push(relative(dirname(probe), target.replace(/\.ts$/, '')).split(sep).join('/'));
    }
    const [result] = await eslint.lintText(specs.map((s) => `import '${s}';`).join('\n'), { filePath: probe });
    const stopped = new Set(result.messages.filter((m) => /restricted/.test(m.ruleId ?? '')).map((m) => m.line));
    specs.forEach((s, i) => {
      if (!stopped.has(i + 1)) missed.push(`${area.path} may import '${s}'`);
    });
  }
  assert.deepEqual(missed, []);
});
