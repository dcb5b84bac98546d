// Settings as people type them, parsed in one place: the reference mode and the execution
// provider (the CLI's flags, the extension's settings and coverage.json spell them the same way),
// and the extension's settings as one typed value coerced from whatever the configuration holds
// (users edit settings.json by hand; host/vscodeSettings.ts reads VS Code and calls this).
// Empty values mean "take it from the run's coverage.json, else the built-in default".
import { DEFAULT_TOKEN_BUDGET } from './defaults';
import type { ReferenceSetting } from './metrics/references';
import type { ProviderSetting } from './store/record';
import { isModelPath, MODEL_PATH_TEXT } from './layout/naming';

/** The reference modes that need no model; anything else is a model path. */
export const REFERENCE_MODES = ['generator', 'point-mass', 'tournament'] as const;

export function isReferenceMode(v: unknown): v is (typeof REFERENCE_MODES)[number] {
  return (REFERENCE_MODES as readonly unknown[]).includes(v);
}

/**
 * A reference as typed on a command line or in a setting: a mode, `model:<path>`, or a path to
 * a model (isModelPath). The model path is returned as typed (the caller resolves it against its own
 * base: the current folder, the run folder); undefined when the text is none of these.
 */
export function parseReferenceText(text: string): ReferenceSetting | undefined {
  const t = text.trim();
  if (isReferenceMode(t)) return t;
  const path = t.startsWith('model:') ? t.slice('model:'.length) : t;
  return isModelPath(path) ? { model: path } : undefined;
}

/** How parseReferenceText's accepted forms are described in messages. */
export const REFERENCE_TEXT_FORMS = `${REFERENCE_MODES.join(', ')} or model:<path to ${MODEL_PATH_TEXT}>`;

export const PROVIDERS: readonly ProviderSetting[] = ['auto', 'cuda', 'webgpu', 'cpu'];

export function parseProvider(v: unknown): ProviderSetting | undefined {
  return (PROVIDERS as readonly unknown[]).includes(v) ? (v as ProviderSetting) : undefined;
}

export type ExecutionProvider = ProviderSetting;
export type PollingMode = 'auto' | 'always' | 'never';

export interface Settings {
  /** Eval set path (relative to the run root or absolute); '' = coverage.json or eval.jsonl. */
  evalSet: string;
  /** 'generator' | 'point-mass' | 'tournament' | a path to a reference .onnx; '' = coverage.json. */
  reference: string;
  /** N grid; empty = coverage.json or 1, 2, 4, …, 2^20. */
  nGrid: number[];
  /** Tournament threshold N > 1; null = coverage.json or 16. */
  selectionN: number | null;
  executionProvider: ExecutionProvider;
  /** Tokens per batch. */
  tokenBudget: number;
  /** Intra-op threads; 0 = onnxruntime's choice. */
  threads: number;
  polling: PollingMode;
  /** Score store folder; '' = <run>/.coverage. */
  storeLocation: string;
  /** Most points a chart draws before the host downsamples. */
  maxChartPoints: number;
}

export const DEFAULT_SETTINGS: Settings = {
  evalSet: '',
  reference: '',
  nGrid: [],
  selectionN: null,
  executionProvider: 'auto',
  tokenBudget: DEFAULT_TOKEN_BUDGET,
  threads: 0,
  polling: 'auto',
  storeLocation: '',
  maxChartPoints: 400,
};

/** Settings keys (under the `checkpointCoverage.` section) that package.json declares. */
export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[];

export interface CoercedSettings {
  settings: Settings;
  /** One line per value that was ignored, naming the setting and what was expected. */
  problems: string[];
}

export function coerceSettings(raw: Readonly<Record<string, unknown>>): CoercedSettings {
  const problems: string[] = [];
  const s: Settings = { ...DEFAULT_SETTINGS, nGrid: [] };
  const bad = (key: keyof Settings, expected: string) =>
    problems.push(`checkpointCoverage.${key}: expected ${expected}, got ${describe(raw[key])}; using the default`);
  const present = (key: keyof Settings) => raw[key] !== undefined && raw[key] !== null;

  for (const key of ['evalSet', 'storeLocation'] as const) {
    if (!present(key)) continue;
    if (typeof raw[key] === 'string') s[key] = (raw[key] as string).trim();
    else bad(key, 'a path (string)');
  }
  if (present('reference')) {
    const r = raw.reference;
    if (typeof r === 'string' && (r.trim() === '' || parseReferenceText(r) !== undefined)) s.reference = r.trim();
    else bad('reference', `"${REFERENCE_MODES.join('", "')}" or a path to ${MODEL_PATH_TEXT}`);
  }
  if (present('nGrid')) {
    const g = raw.nGrid;
    if (Array.isArray(g) && g.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 1)) {
      s.nGrid = [...new Set(g as number[])].sort((a, b) => a - b);
    } else bad('nGrid', 'an array of numbers ≥ 1');
  }
  if (present('selectionN')) {
    const n = raw.selectionN;
    if (typeof n === 'number' && Number.isFinite(n) && n > 1) s.selectionN = n;
    else if (n !== 0) bad('selectionN', "a number > 1 (or 0 for the run's value)");
  }
  if (present('executionProvider')) {
    const p = parseProvider(raw.executionProvider);
    if (p) s.executionProvider = p;
    else bad('executionProvider', `one of ${PROVIDERS.join(', ')}`);
  }
  if (present('polling')) {
    const p = raw.polling;
    if (p === 'auto' || p === 'always' || p === 'never') s.polling = p;
    else if (p === true || p === false) s.polling = p ? 'always' : 'never';
    else bad('polling', 'one of auto, always, never');
  }
  intSetting(raw, 'tokenBudget', 64, 1 << 24, s, bad);
  intSetting(raw, 'threads', 0, 1024, s, bad);
  intSetting(raw, 'maxChartPoints', 20, 100_000, s, bad);
  return { settings: s, problems };
}

function intSetting(
  raw: Readonly<Record<string, unknown>>,
  key: 'tokenBudget' | 'threads' | 'maxChartPoints',
  min: number,
  max: number,
  s: Settings,
  bad: (k: keyof Settings, e: string) => void,
): void {
  const v = raw[key];
  if (v === undefined || v === null) return;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) s[key] = v;
  else bad(key, `an integer from ${min} to ${max}`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}
