// Where r(i) = ln π_ref(y_i | x_i) comes from (docs/metrics.md, "The reference r(i)").
import type { CheckpointScores } from '../types';

/** The reference as `coverage.json` and the settings spell it. */
export type ReferenceSetting = 'generator' | 'point-mass' | 'tournament' | { model: string };

export interface ResolvedReference {
  setting: ReferenceSetting;
  /** Short name for tables and charts, e.g. "generator", "model ref/model.onnx". */
  label: string;
  /**
   * r(i) for every sample; NaN where the reference has no usable value (a missing
   * ref_logprob, a sample the reference model skipped or gave probability 0). Null in
   * tournament mode, which needs no r.
   */
  r: Float64Array | null;
  /** Whether r is a log-density, so that the mean of L is a KL divergence. */
  densities: boolean;
  /** Samples whose r is unusable, and why (for the report's warnings). */
  unusable: { count: number; why: string } | null;
}

export function referenceLabel(s: ReferenceSetting): string {
  return typeof s === 'string' ? s : `model ${s.model}`;
}

export interface ReferenceInputs {
  /** Number of eval samples. */
  n: number;
  /** Generator mode: each sample's ref_logprob (undefined / NaN where the line has none). */
  refLogprobs?: ArrayLike<number | undefined>;
  /** Model mode: the reference model's scores, computed by the same engine. */
  referenceScores?: CheckpointScores;
}

export function resolveReference(setting: ReferenceSetting, inp: ReferenceInputs): ResolvedReference {
  const label = referenceLabel(setting);
  const { n } = inp;
  if (setting === 'tournament') return { setting, label, r: null, densities: false, unusable: null };
  if (setting === 'point-mass') return { setting, label, r: new Float64Array(n), densities: true, unusable: null };
  let source: ArrayLike<number | undefined>;
  let why: string;
  if (setting === 'generator') {
    if (!inp.refLogprobs) throw new Error(`reference 'generator' needs the eval data's ref_logprob values`);
    source = inp.refLogprobs;
    why = 'no ref_logprob';
  } else {
    if (!inp.referenceScores) throw new Error(`reference model ${setting.model} has not been scored`);
    source = inp.referenceScores.seqLogprob;
    why = 'not scored by the reference model, or given probability 0 by it';
  }
  if (source.length !== n) throw new Error(`reference ${label}: ${source.length} values for ${n} eval samples`);
  const r = new Float64Array(n);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = source[i];
    // r = −∞ says the reference never produces y_i: no checkpoint can under-weight it relative
    // to the reference, and L would be −∞ or NaN, so the sample is left out like a skipped one.
    if (typeof v !== 'number' || !(v > -Infinity)) {
      r[i] = Number.NaN;
      bad++;
    } else r[i] = v;
  }
  if (bad === n) {
    throw new Error(
      setting === 'generator'
        ? `reference 'generator': none of the ${n} eval samples has a ref_logprob`
        : `reference ${label}: no usable score on any of the ${n} eval samples`,
    );
  }
  return { setting, label, r, densities: true, unusable: bad > 0 ? { count: bad, why } : null };
}
