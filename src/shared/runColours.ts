// A run's colour slot, as both the panel's charts (webview/theme.ts) and the tree's run icons
// show it: VS Code's chart colours first (theme colours, which a tree icon can take), then fixed
// hues readable on light and dark themes. Green and red are left out: they mark the suggested and
// the lowest-CE checkpoints. More runs than colours wrap around.
export const RUN_THEME_COLOURS = ['charts.blue', 'charts.orange', 'charts.purple', 'charts.yellow'] as const;
export const RUN_FIXED_COLOURS = ['#1aa3b8', '#d6589a', '#9a7b3c', '#8a8a8a'] as const;

/** The theme colour id of a slot, or null where the slot's colour is a fixed hue. */
export function runThemeColour(slot: number): string | null {
  const k = slot % (RUN_THEME_COLOURS.length + RUN_FIXED_COLOURS.length);
  return k < RUN_THEME_COLOURS.length ? RUN_THEME_COLOURS[k] : null;
}

/** A slot's colour from the theme's chart colours (`theme`, by theme colour id) or the fixed hues. */
export function runColour(slot: number, theme: (id: string) => string): string {
  const k = slot % (RUN_THEME_COLOURS.length + RUN_FIXED_COLOURS.length);
  return k < RUN_THEME_COLOURS.length ? theme(RUN_THEME_COLOURS[k]) : RUN_FIXED_COLOURS[k - RUN_THEME_COLOURS.length];
}
