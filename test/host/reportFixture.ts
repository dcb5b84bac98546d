// Report objects for host tests, complete in shape, with the figures a test cares about.
import type { CoverageReport, ReportCheckpoint } from '../../src/core/report';

export function reportRow(step: number, ce: number, cov: number, path = `c${step}.onnx`): ReportCheckpoint {
  return {
    step,
    path,
    samples: 4,
    tokens: 40,
    cePerToken: ce,
    ceBitsPerToken: ce / Math.LN2,
    cePerSequence: ce * 10,
    kl: 'Infinity',
    coverage: { '16': cov },
    coverageInterval: { '16': [cov / 2, Math.min(1, cov * 2)] },
    passAt: null,
    passAtInterval: null,
    tournamentScore: cov,
    rivalStep: 1,
    rivalPath: 'c1.onnx',
    byLength: [],
  };
}

export function report(part: Partial<CoverageReport> & Pick<CoverageReport, 'checkpoints'>): CoverageReport {
  return {
    reference: 'generator',
    referenceLabel: 'generator',
    coverageRelativeTo: null,
    selectionN: 16,
    dev: 0.02,
    resolved: true,
    suggested: null,
    minCrossEntropy: null,
    differs: false,
    suggestedOutcoversMinCe: null,
    evalSamples: 4,
    tournamentSamples: 4,
    nGrid: [1, 16],
    failed: [],
    warnings: [],
    verdict: '',
    ...part,
  };
}
