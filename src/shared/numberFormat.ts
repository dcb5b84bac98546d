// Number formatting shared by the host (tree, exports) and the webview (table, tooltips).

/** Significant digits; "∞" for +∞ (or "Infinity" from JSON); "—" when there is no value. */
export function fmt(v: number | 'Infinity' | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '—';
  if (v === 'Infinity' || v === Infinity) return '∞';
  if (!Number.isFinite(v)) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

/** 950 → "950", 12_345 → "12k", 1_530_000 → "1.5M". */
export function compact(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a < 1000) return String(Math.round(n));
  if (a < 10_000) return (n / 1000).toFixed(1).replace(/\.0$/, '') + 'k';
  if (a < 1e6) return Math.round(n / 1000) + 'k';
  if (a < 1e9) return (n / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
  return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'G';
}
