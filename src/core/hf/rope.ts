// Rotary position embedding frequencies, computed once in float64 and stored in the graph as
// float32 constants. Follows transformers' modeling_rope_utils.py: the default
// 1 / θ^(2i/d), `linear` (positions slowed by `factor`, i.e. every frequency divided by it)
// and `llama3` (long wavelengths divided by `factor`, short ones kept, the band between
// blended). Types that change with the sequence length (dynamic, yarn, longrope) are refused
// by the config reader.

export interface RopeParams {
  type: 'default' | 'linear' | 'llama3';
  theta: number;
  factor?: number;
  lowFreqFactor?: number;
  highFreqFactor?: number;
  originalContext?: number;
}

export function inverseFrequencies(p: RopeParams, dims: number): number[] {
  const base = Array.from({ length: dims / 2 }, (_, i) => 1 / p.theta ** ((2 * i) / dims));
  if (p.type === 'default') return base;
  const factor = p.factor!;
  if (p.type === 'linear') return base.map((f) => f / factor);
  const low = p.lowFreqFactor!,
    high = p.highFreqFactor!,
    old = p.originalContext!;
  const lowWavelength = old / low,
    highWavelength = old / high;
  return base.map((f) => {
    const wavelength = (2 * Math.PI) / f;
    if (wavelength < highWavelength) return f;
    if (wavelength > lowWavelength) return f / factor;
    const smooth = (old / wavelength - low) / (high - low);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}
