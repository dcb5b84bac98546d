import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erf } from './gpt2-reference';

test('the reference erf matches tabulated values on both sides of its switch at 3', () => {
  // Values from standard tables of the error function (16 digits).
  const known: [number, number][] = [
    [0, 0],
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [3.5, 0.9999992569016276],
    [5, 0.9999999999984626],
  ];
  for (const [x, want] of known) {
    assert.ok(Math.abs(erf(x) - want) < 1e-13, `erf(${x}) = ${erf(x)}, want ${want}`);
    assert.ok(Math.abs(erf(-x) + want) < 1e-13, `erf(${-x})`);
  }
});
