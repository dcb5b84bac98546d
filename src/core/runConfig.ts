// coverage.json: the run's own settings, validated in one place, with the values a front end
// puts over them (the extension's settings, the CLI's flags) checked by the same rules. Every
// error names the file (or where an override came from) and the key and says what was
// expected; paths resolve against the run root and may not leave it unless the caller trusts
// the workspace (allowOutside).
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ReferenceSetting } from './metrics/references';
import type { EvalSample, InputProblem } from './types';
import { fsErrorCode, resolveInside } from './paths';
import { DEFAULT_N_GRID, DEFAULT_SELECTION_N, DEFAULT_STORE } from './defaults';
import { isReferenceMode } from './settings';
import { isModelPath, MODEL_PATH_TEXT } from './layout/naming';

export interface RunConfig {
  /** The coverage.json read, when there was one. */
  file?: string;
  /** Absolute paths. */
  eval: string;
  tokenizer?: string;
  store: string;
  /** Undefined: chosen from the data by chooseReference; a `model` path is absolute. */
  reference?: ReferenceSetting;
  /** Sorted, without repeats, every N ≥ 1. */
  nGrid: number[];
  selectionN: number;
  tokensPerStep?: number;
}

export const CONFIG_FILE = 'coverage.json';
export const DEFAULT_EVAL = 'eval.jsonl';
export const DEFAULT_TOKENIZER = 'tokenizer.json';
export { DEFAULT_N_GRID, DEFAULT_SELECTION_N };

const KEYS = ['eval', 'tokenizer', 'reference', 'nGrid', 'selectionN', 'tokensPerStep', 'store'] as const;

/**
 * Values that win over coverage.json's, already parsed by the front end that read them. Paths
 * (and a model reference's path) are relative to the run folder or absolute.
 */
export interface ConfigOverrides {
  /** Where the values come from, for messages: "the settings", "the command line". */
  source: string;
  /** How to let a path lead outside the run when that is meant ("pass --allow-outside if you trust it"). */
  outsideHint?: string;
  eval?: string;
  store?: string;
  reference?: ReferenceSetting;
  nGrid?: readonly number[];
  selectionN?: number;
}

export interface ConfigOptions {
  /** Let paths point outside the run folder (trusted workspaces only). */
  allowOutside?: boolean;
  overrides?: ConfigOverrides;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: InputProblem[],
  ) {
    super(`${file}: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `<root>/coverage.json` when there is one; the defaults otherwise. */
export async function loadConfig(root: string, opts: ConfigOptions = {}): Promise<RunConfig> {
  const file = join(root, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (fsErrorCode(e) === 'ENOENT') return validateConfig({}, root, undefined, opts);
    throw new ConfigError(file, [{ file, message: `cannot read (${fsErrorCode(e)})` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [{ file, message: `not valid JSON (${e instanceof Error ? e.message : String(e)})` }]);
  }
  return validateConfig(raw, root, file, opts);
}

/** Validates a parsed coverage.json (or `{}` when there is none) and fills in the defaults. */
export async function validateConfig(raw: unknown, root: string, file: string | undefined, opts: ConfigOptions = {}): Promise<RunConfig> {
  const name = file ?? join(root, CONFIG_FILE);
  const problems: InputProblem[] = [];
  const bad = (key: string, message: string): void => {
    problems.push({ file: name, subject: key, message: `"${key}" ${message}` });
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(name, [{ file: name, message: `expected a JSON object of settings, found ${describe(raw)}` }]);
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) bad(k, `is not a setting; expected one of ${KEYS.join(', ')}`);
  }

  const path = async (key: string, v: unknown, fallback?: string): Promise<string | undefined> => {
    if (v === undefined) return fallback === undefined ? undefined : resolve(root, fallback);
    if (typeof v !== 'string' || v.trim() === '') {
      bad(key, `must be a non-empty path string, found ${describe(v)}`);
      return undefined;
    }
    const { abs, inside } = await resolveInside(root, v);
    if (!inside && !opts.allowOutside) {
      bad(key, `is ${JSON.stringify(v)}, which is outside the run folder; paths must stay inside it unless the workspace is trusted`);
      return undefined;
    }
    return abs;
  };

  const evalPath = await path('eval', o.eval, DEFAULT_EVAL);
  let tokenizer = await path('tokenizer', o.tokenizer);
  if (o.tokenizer === undefined && (await exists(join(root, DEFAULT_TOKENIZER)))) tokenizer = join(root, DEFAULT_TOKENIZER);
  const store = await path('store', o.store, DEFAULT_STORE);

  let reference: ReferenceSetting | undefined;
  const r = o.reference;
  if (typeof r === 'string') {
    if (isReferenceMode(r)) reference = r;
    else bad('reference', `is ${JSON.stringify(r)}; expected "generator", "point-mass", "tournament" or {"model": "<path to a model>"}`);
  } else if (typeof r === 'object' && r !== null && !Array.isArray(r)) {
    const ro = r as Record<string, unknown>;
    for (const k of Object.keys(ro)) if (k !== 'model') bad(`reference.${k}`, 'is not a setting; expected only "model"');
    if (typeof ro.model === 'string' && !isModelPath(ro.model))
      bad('reference.model', `is ${JSON.stringify(ro.model)}; expected a path to ${MODEL_PATH_TEXT}`);
    else {
      const model = await path('reference.model', ro.model ?? null);
      if (model !== undefined) reference = { model };
    }
  } else if (r !== undefined) {
    bad('reference', `must be "generator", "point-mass", "tournament" or {"model": "<path to a model>"}, found ${describe(r)}`);
  }

  let nGrid = [...DEFAULT_N_GRID];
  if (o.nGrid !== undefined) {
    const g = o.nGrid;
    if (!Array.isArray(g) || g.length === 0) bad('nGrid', `must be a non-empty array of numbers N ≥ 1, found ${describe(g)}`);
    else {
      const i = g.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 1);
      if (i >= 0) bad('nGrid', `has ${describe(g[i])} at [${i}]; expected finite numbers N ≥ 1`);
      else nGrid = [...new Set(g as number[])].sort((a, b) => a - b);
    }
  }

  let selectionN = DEFAULT_SELECTION_N;
  if (o.selectionN !== undefined) {
    const s = o.selectionN;
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 1)
      bad('selectionN', `must be a finite number greater than 1, found ${describe(s)}`);
    else selectionN = s;
  }

  let tokensPerStep: number | undefined;
  if (o.tokensPerStep !== undefined) {
    const t = o.tokensPerStep;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) bad('tokensPerStep', `must be a positive number, found ${describe(t)}`);
    else tokensPerStep = t;
  }

  if (problems.length > 0) throw new ConfigError(name, problems);
  const config: RunConfig = { eval: evalPath as string, store: store as string, nGrid, selectionN };
  if (file !== undefined) config.file = file;
  if (tokenizer !== undefined) config.tokenizer = tokenizer;
  if (reference !== undefined) config.reference = reference;
  if (tokensPerStep !== undefined) config.tokensPerStep = tokensPerStep;
  if (opts.overrides) await applyOverrides(config, root, opts.overrides, opts.allowOutside === true);
  return config;
}

/** Puts the overrides over `config` after the checks coverage.json's own values pass. */
async function applyOverrides(config: RunConfig, root: string, o: ConfigOverrides, allowOutside: boolean): Promise<void> {
  const problems: InputProblem[] = [];
  const bad = (key: string, message: string): void => {
    problems.push({ file: o.source, subject: key, message: `${key} ${message}` });
  };
  const path = async (key: string, v: string): Promise<string | undefined> => {
    const { abs, inside } = await resolveInside(root, v);
    if (inside || allowOutside) return abs;
    bad(
      key,
      `is ${JSON.stringify(v)}, which is outside the run folder ${root}; ${o.outsideHint ?? 'paths must stay inside it unless the workspace is trusted'}`,
    );
    return undefined;
  };
  const next: Partial<RunConfig> = {};
  if (o.eval !== undefined) next.eval = await path('eval', o.eval);
  if (o.store !== undefined) next.store = await path('store', o.store);
  if (o.reference !== undefined) {
    if (typeof o.reference === 'string') next.reference = o.reference;
    else {
      const model = await path('reference', o.reference.model);
      if (model !== undefined) next.reference = { model };
    }
  }
  if (o.nGrid !== undefined) {
    if (o.nGrid.length === 0 || o.nGrid.some((x) => !Number.isFinite(x) || x < 1)) bad('nGrid', 'must hold numbers N ≥ 1');
    else next.nGrid = [...new Set(o.nGrid)].sort((a, b) => a - b);
  }
  if (o.selectionN !== undefined) {
    if (!Number.isFinite(o.selectionN) || o.selectionN <= 1) bad('selectionN', `must be a number greater than 1, found ${o.selectionN}`);
    else next.selectionN = o.selectionN;
  }
  if (problems.length > 0) throw new ConfigError(o.source, problems);
  Object.assign(config, next);
}

/**
 * The reference when coverage.json names none: the generator's own log-probabilities when
 * every sample carries ref_logprob (exact coverage), else the tournament, which needs none.
 */
export function chooseReference(config: RunConfig, samples: readonly EvalSample[]): ReferenceSetting {
  if (config.reference !== undefined) return config.reference;
  return samples.length > 0 && samples.every((s) => s.refLogprob !== undefined) ? 'generator' : 'tournament';
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `a ${typeof v}`;
}
