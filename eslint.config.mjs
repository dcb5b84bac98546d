// `npm run lint`: bugs and walls, not style (Prettier owns layout). The walls between folders come
// from layering.walls.json, which test/unit/layering.test.ts reads too.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';

const root = dirname(fileURLToPath(import.meta.url));
const { areas } = JSON.parse(readFileSync(join(root, 'layering.walls.json'), 'utf8'));

/** One config block per area: ESLint keeps only the last options of a rule, so each area states all of its walls. */
function wallsOf(area) {
  const message = `${area.path} is ${area.runtime} (layering.walls.json).`;
  const exact = area.packages.filter((p) => !p.endsWith('*'));
  const prefixes = area.packages.filter((p) => p.endsWith('*'));
  const paths = exact.map((name) => ({ name, message }));
  const groups = [...prefixes];
  if (area.nodeBuiltins) {
    paths.push(
      ...builtinModules.filter((m) => !m.startsWith('_')).map((name) => ({ name, message: `${message} No node built-ins here.` })),
    );
    groups.push('node:*');
  }
  const rules = {
    'no-restricted-imports': ['error', { paths, patterns: groups.length ? [{ group: groups, message }] : [] }],
  };
  if (area.folders.length > 0) {
    rules['import-x/no-restricted-paths'] = [
      'error',
      { basePath: root, zones: [{ target: `./${area.path}`, from: area.folders.map((f) => `./${f}`), message }] },
    ];
  }
  const isFile = /\.[cm]?[jt]s$/.test(area.path);
  return { name: `walls/${area.path}`, files: isFile ? [area.path] : [`${area.path}/**`], rules };
}

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'demo-run/', 'test-output/', '.bench-cache/', '.coverage/', '.gl/', '.whl/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'project',
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    settings: {
      // import-x parses only the files it is told about: without these, no-cycle never follows a .ts import.
      'import-x/extensions': ['.ts', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mts', '.js', '.mjs', '.json'] })],
    },
    rules: {
      // A cycle makes load order matter and hides which module a reader should start from.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `_`-prefixed names are deliberate (unused parameters of an interface); `const { a, ...rest }`
      // is how a key is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Two objects that refer to each other: one is declared first and assigned once the other exists.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Our errors translate the caught one into a message that names the file and says what was
      // expected, with the caught message inside it; a `cause` would print the raw error a second
      // time wherever an error is inspected.
      'preserve-caught-error': 'off',
      // Tests match indented CLI output, where literal spaces read as the output does.
      'no-regex-spaces': 'off',
    },
  },
  {
    name: 'promises (type-aware)',
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    name: 'webview globals',
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'commonjs',
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...areas.map(wallsOf),
);
