// Eval text (sample text, decoded tokens, ids, paths, checkpoint names, error messages) is
// shown by the webview as inert text. Two checks: a scan of webview/ for HTML sinks fed with
// anything but a constant, and the whole panel (webview/main.ts) driven in a fake DOM with
// hostile data in every text field, where every HTML-parsing path throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { join, relative } from 'node:path';
import type { CheckpointRow, InspectData, PanelSnapshot, RunSnapshot } from '../../src/shared/protocol';
import type { RpcWire } from '../../src/shared/rpc';
import { escapeBidi } from '../../webview/shaping';
import { installFakeDom, type FakeElement } from '../support/fakeDom';

const WEBVIEW = join(__dirname, '..', '..', 'webview');

// ---- 1. No HTML sink fed with data ----

/** Sinks that parse HTML or run code, and attributes that load or navigate. */
const SINKS: { name: string; re: RegExp }[] = [
  { name: 'innerHTML/outerHTML', re: /\.(?:inner|outer)HTML\s*\+?=\s*(.*)$/ },
  { name: 'insertAdjacentHTML', re: /\binsertAdjacentHTML\s*\((.*)$/ },
  { name: 'document.write', re: /\bdocument\.write(?:ln)?\s*\((.*)$/ },
  { name: 'HTML parsers', re: /\b(?:DOMParser|createContextualFragment|parseHTMLUnsafe|setHTMLUnsafe)\b(.*)$/ },
  { name: 'srcdoc', re: /\bsrcdoc\b(.*)$/ },
  { name: 'eval / Function', re: /\b(?:eval|Function)\s*\((.*)$/ },
  { name: 'link or script element', re: /(?:createElement|\bh)\s*\(\s*['"`](?:a|script|iframe|object|embed|link|base|form)['"`](.*)$/ },
  {
    name: 'href/src/on* from code',
    re: /(?:\.(?:href|src|action)\s*=|setAttribute\s*\(\s*['"`](?:href|src|action|formaction|on\w+)['"`]|['"]?\b(?:href|src|onerror|onload|onclick)['"]?\s*:)(.*)$/,
  },
];

/**
 * Exact (file, trimmed line) pairs that use a sink with a constant; each must be a plain string
 * literal with no interpolation, which the test checks. Empty today: nothing needs one.
 */
const ALLOWED: { file: string; line: string }[] = [];

/** Code lines of a file with comments blanked (line numbers kept). */
function codeLines(text: string): string[] {
  const noBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return noBlocks.split('\n').map((l) => (/^\s*\/\//.test(l) ? '' : l.replace(/\s\/\/\s.*$/, '')));
}

function scan(file: string, text: string): string[] {
  const found: string[] = [];
  codeLines(text).forEach((line, i) => {
    for (const s of SINKS) {
      if (!s.re.test(line)) continue;
      const allowed = ALLOWED.some((a) => a.file === file && a.line === line.trim());
      if (!allowed) found.push(`${file}:${i + 1}: ${s.name}: ${line.trim()}`);
    }
  });
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : n.endsWith('.ts') ? [p] : [];
  });
}

test('the scan finds each sink it looks for (so an empty result means something)', () => {
  const bad = [
    'el.innerHTML = sample.text;',
    'row.outerHTML = `<td>${x}</td>`;',
    "el.insertAdjacentHTML('beforeend', s);",
    'document.write(msg);',
    'new DOMParser().parseFromString(t, "text/html");',
    'frame.srcdoc = t;',
    'eval(code);',
    "const a = document.createElement('a');",
    "h('a', { href: url }, name);",
    'link.href = d.path;',
    "el.setAttribute('onclick', f);",
  ];
  for (const line of bad) assert.equal(scan('x.ts', line).length >= 1, true, line);
  assert.deepEqual(scan('x.ts', "el.textContent = escapeBidi(v);\nh('td', { 'data-path': r.path }, r.path);\n// el.innerHTML = nope"), []);
});

test('webview/ has no innerHTML, outerHTML, insertAdjacentHTML, document.write, link, script or href/src from code', () => {
  for (const a of ALLOWED) assert.match(a.line, /=\s*(['"])[^'"`$]*\1;?$/, `allow-listed ${a.file}: ${a.line} is a constant string`);
  const files = tsFiles(WEBVIEW);
  assert.ok(files.length >= 5, 'the webview sources are there');
  const found = files.flatMap((f) => scan(relative(WEBVIEW, f), readFileSync(f, 'utf8')));
  assert.deepEqual(found, [], `HTML sinks in webview/:\n${found.join('\n')}`);
});

// ---- 2. The panel with hostile data, in a fake DOM ----

const HOSTILE = [
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 1">',
  '<a href="javascript:alert(1)">click</a>',
  'javascript:alert(document.domain)',
  'invoice\u202Etxt.exe',
  '\u2066isolate\u2069 \u2067rtl\u2069 \u2068first\u2069',
];
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const pick = (i: number) => HOSTILE[i % HOSTILE.length];

/** Two runs with hostile names, paths and verdicts: the run chips, the run column and the filter show them. */
function panel(): PanelSnapshot {
  const a = snapshot();
  const b: RunSnapshot = { ...snapshot(), runName: pick(5), runPath: `/runs/${pick(1)}` };
  return {
    version: 1,
    runs: [
      { ...a, label: pick(2), colour: 0 },
      { ...b, label: pick(5), colour: 1 },
    ],
    acrossError: null,
    across: {
      selectionN: 16,
      dev: 0.1,
      resolved: false,
      verdict: pick(0),
      suggested: { run: b.runPath, step: 1, path: b.rows[0].path },
      minCrossEntropy: null,
      pending: [pick(4)],
      checkpoints: [{ run: b.runPath, path: b.rows[0].path, tournamentScore: 0.1, rivalRun: a.runPath, rivalStep: 3 }],
    },
  };
}

function snapshot(): RunSnapshot {
  const row = (step: number, state: 'done' | 'failed', path: string, reason?: string): CheckpointRow => ({
    step,
    path,
    state,
    model: `safetensors ${pick(step)}`,
    trainTokens: null,
    samples: 2,
    evalTokens: 4,
    cePerToken: state === 'done' ? 1.5 : null,
    cePerSequence: null,
    kl: null,
    coverage: state === 'done' ? { '16': 0.25 } : ({} as Record<string, number>),
    coverageInterval: {},
    passAt: null,
    tournamentScore: null,
    rivalStep: null,
    ...(reason ? { reason } : {}),
  });
  return {
    version: 1,
    runName: pick(0),
    runPath: `/runs/${pick(4)}`,
    reference: pick(3),
    selectionN: 16,
    nGrid: [1, 16],
    dev: null,
    resolved: null,
    verdict: pick(1),
    reportComplete: true,
    suggestedOutcoversMinCe: null,
    warnings: [pick(2), pick(5)],
    suggested: null,
    minCrossEntropy: null,
    rows: [
      row(1, 'done', `step-1/${pick(0)}.onnx`),
      row(2, 'failed', `step-2/${pick(4)}.onnx`, `not a readable ONNX model: ${pick(1)}`),
      row(3, 'done', pick(5)),
    ],
    plotIndices: [0, 2],
    progress: { done: 2, failed: 1, elsewhere: 0, total: 3, current: null, tokensPerSecond: null, provider: 'cpu' },
    problems: [`eval.jsonl:3 (id ${pick(1)}): ${pick(2)}`],
    error: `cannot read ${pick(0)}`,
    awaitingTrust: false,
  };
}

function inspectData(run: string, runName: string, path: string): InspectData {
  return {
    run,
    runName,
    step: 1,
    path,
    model: `safetensors ${pick(2)}`,
    reference: pick(3),
    selectionN: 16,
    profiles: [],
    logRatios: null,
    tournament: { score: 0.5, rivalStep: 3, rivalRun: pick(1), rivals: [{ run: pick(3), step: 3, path: pick(5), share: 0.25 }] },
    worst: HOSTILE.map((t, i) => ({
      line: i + 1,
      id: pick(i + 1),
      logRatio: 1,
      seqLogprob: -2,
      prompt: t,
      tokens: [
        { text: pick(i + 2), logprob: -1 },
        { text: t, logprob: -3 },
      ],
    })),
    passAt: null,
    byLength: null,
    notes: [pick(4)],
  };
}

/** Puts `exports` in the require cache under a webview module, so main.ts loads it instead. */
function stub(rel: string, exports: object): void {
  const id = require.resolve(join(WEBVIEW, rel));
  const m = new Module(id);
  m.filename = id;
  m.loaded = true;
  m.exports = exports;
  require.cache[id] = m;
}

const flush = () => new Promise((r) => setImmediate(r));

test('every text from data is a text node; no link, script, href, src or handler; bidi controls shown as ⟨U+…⟩', async (t) => {
  const dom = installFakeDom();
  t.after(dom.restore);
  const posted: RpcWire[] = [];
  (globalThis as Record<string, unknown>).acquireVsCodeApi = () => ({
    postMessage: (m: RpcWire) => posted.push(m),
    getState: () => undefined,
    setState: () => undefined,
  });
  t.after(() => delete (globalThis as Record<string, unknown>).acquireVsCodeApi);
  // Charts draw numbers on canvases and the toolkit's controls need custom elements: neither
  // takes eval text, and neither runs outside a browser.
  class Chart {
    update(): void {}
    setPalette(): void {}
    destroy(): void {}
    toPng(): string {
      return 'data:,';
    }
  }
  stub('charts.ts', { CurveChart: Chart });
  stub('inspectCharts.ts', { ProfileChart: Chart, HistogramChart: Chart });
  const control = (label: string) => Object.assign(dom.document.createElement('vscode-button'), { textContent: label });
  stub('components.ts', { button: control, checkbox: control, dropdown: () => dom.document.createElement('vscode-dropdown') });
  stub('theme.ts', {
    readPalette: () => ({ heat: '#f00', foreground: '#000', series: ['#00f'], runs: ['#00f', '#f80'] }),
    watchTheme: () => () => undefined,
    withAlpha: (c: string) => c,
    runColourOf: () => '#00f',
  });
  const mainPath = require.resolve(join(WEBVIEW, 'main.ts'));
  t.after(() => {
    for (const rel of [
      'charts.ts',
      'inspectCharts.ts',
      'components.ts',
      'theme.ts',
      'main.ts',
      'controls.ts',
      'header.ts',
      'inspect.ts',
      'table.ts',
      'runsBar.ts',
      'dom.ts',
    ])
      delete require.cache[require.resolve(join(WEBVIEW, rel))];
  });
  // require, not import(): the stubs above live in require.cache, which only require consults.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(mainPath);

  const answer = (method: string, reply: (id: number, params: unknown) => RpcWire) => {
    for (const w of posted.splice(0))
      if (w.rpc === 'request' && w.method === method) dom.window.dispatch('message', { data: reply(w.id, w.params) });
  };
  await flush();
  const all = panel();
  const snap = all.runs[0];
  answer('getSnapshotRequest', (id) => ({ rpc: 'result', id, result: all }));
  await flush();
  // The inspect view of a checkpoint, then an error answer naming a hostile path.
  dom.window.dispatch('message', {
    data: { rpc: 'notification', method: 'showInspectNotification', params: { run: snap.runPath, path: snap.rows[0].path } },
  });
  await flush();
  answer('inspectCheckpointRequest', (id, p) => ({
    rpc: 'result',
    id,
    result: inspectData(snap.runPath, snap.label, (p as { path: string }).path),
  }));
  await flush();
  const shown = collect(dom.app);
  dom.window.dispatch('message', {
    data: { rpc: 'notification', method: 'showInspectNotification', params: { run: snap.runPath, path: snap.rows[2].path } },
  });
  await flush();
  answer('inspectCheckpointRequest', (id) => ({ rpc: 'error', id, message: `${pick(2)} is not scored yet: ${pick(4)}` }));
  await flush();
  const afterError = collect(dom.app);

  // What was made: only these elements, and no attribute that loads, navigates or runs code.
  const tags = new Set(dom.log.elements);
  for (const bad of ['a', 'script', 'img', 'iframe', 'link', 'object', 'embed', 'base', 'form'])
    assert.ok(!tags.has(bad), `no <${bad}> element is created`);
  const attrs = dom.log.attributes.filter((a) => /^(href|src|srcdoc|action|formaction|on.*)$/i.test(a.name));
  assert.deepEqual(attrs, [], 'no href, src or event handler attribute');

  // Each hostile string reached the page, as text, with bidi controls made visible.
  const texts = [...shown, ...afterError].join('\n');
  for (const h of HOSTILE) assert.ok(texts.includes(escapeBidi(h)), `shown as text: ${JSON.stringify(h)}`);
  assert.doesNotMatch(texts, BIDI, 'no raw bidi control character in any text node');
  for (const c of ['202E', '2066', '2067', '2068', '2069']) assert.ok(texts.includes(`⟨U+${c}⟩`), `U+${c} is shown visibly`);
  assert.ok(
    afterError.some((s) => s.includes(`${pick(2)} is not scored yet`)),
    'the error answer is shown as text',
  );
  assert.ok(
    shown.some((s) => s.includes('not a readable ONNX model: <img src=x onerror=')),
    "a failed row's reason is shown as text",
  );
  assert.ok(
    shown.includes(`line 6 · id ${pick(6)} · L = 1 nats · log p = -2`),
    'the inspect view drew its worst samples (ids, prompts, tokens)',
  );
  assert.ok(
    shown.includes(escapeBidi(`${snap.label} · step 1 · ${snap.rows[0].path}`)),
    'the inspect view names the run and the checkpoint',
  );
  for (const r of all.runs) assert.ok(shown.includes(escapeBidi(r.label)), `the run ${JSON.stringify(r.label)} is named as text`);
  // Whether a hostile string ran (window.__pwned) can only be seen in a real browser: the fake DOM
  // runs no markup. test/e2e/security.test.ts checks it in every frame.
});

/** Text of every text node under `root`. */
function collect(root: FakeElement): string[] {
  return [...root.walk()].filter((n) => n.nodeType === 3).map((n) => n.textContent);
}

test('escapeBidi names each bidi control and leaves markup characters to textContent', () => {
  assert.equal(escapeBidi('a\u202Eb'), 'a⟨U+202E⟩b');
  assert.equal(escapeBidi('\u2066\u2067\u2068\u2069'), '⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩');
  assert.equal(escapeBidi('\u202A\u202B\u202C\u202D\u200E\u200F\u061C'), '⟨U+202A⟩⟨U+202B⟩⟨U+202C⟩⟨U+202D⟩⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩');
  // Markup is not escaped here: it never meets an HTML parser, so escaping would show "&lt;".
  for (const s of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'javascript:alert(1)']) assert.equal(escapeBidi(s), s);
});
