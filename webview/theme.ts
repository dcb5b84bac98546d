// Chart colours come from VS Code's theme variables. A canvas cannot use CSS variables, so
// they are read into plain strings, and read again whenever VS Code switches the theme
// (it changes the body's class: vscode-light, vscode-dark, vscode-high-contrast).
import { RUN_FIXED_COLOURS, RUN_THEME_COLOURS, runColour } from '../src/shared/runColours';

export interface Palette {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  series: string[];
  /** A colour per run slot (src/shared/runColours.ts), read from the theme where it has one. */
  runs: string[];
  suggested: string;
  minCe: string;
  heat: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** A theme colour by its id ('charts.blue' is --vscode-charts-blue), with VS Code's dark default. */
function themeColour(id: string): string {
  const fallback: Record<string, string> = {
    'charts.blue': '#3794ff',
    'charts.orange': '#d18616',
    'charts.purple': '#b180d7',
    'charts.yellow': '#cca700',
  };
  return cssVar(`--vscode-${id.replace(/\./g, '-')}`, fallback[id] ?? '#cccccc');
}

/** The colour of a run's slot. */
export function runColourOf(p: Palette, slot: number): string {
  return p.runs[slot % p.runs.length];
}

export function readPalette(): Palette {
  return {
    foreground: cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#cccccc')),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
    series: [
      '--vscode-charts-blue',
      '--vscode-charts-orange',
      '--vscode-charts-purple',
      '--vscode-charts-yellow',
      '--vscode-charts-foreground',
    ].map((v, i) => cssVar(v, ['#3794ff', '#d18616', '#b180d7', '#cca700', '#cccccc'][i])),
    runs: Array.from({ length: RUN_THEME_COLOURS.length + RUN_FIXED_COLOURS.length }, (_, slot) => runColour(slot, themeColour)),
    suggested: cssVar('--vscode-charts-green', '#89d185'),
    minCe: cssVar('--vscode-charts-red', '#f14c4c'),
    heat: cssVar('--vscode-charts-red', '#f14c4c'),
  };
}

/** Calls `onChange` with the new palette whenever the theme class of the body changes. */
export function watchTheme(onChange: (p: Palette) => void): () => void {
  let last = document.body.className;
  const obs = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    onChange(readPalette());
  });
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return () => obs.disconnect();
}

/** `color` at the given opacity, for bands and heat cells (accepts #rgb, #rrggbb, rgb()). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color);
  if (hex) {
    const h =
      hex[1].length === 3
        ? hex[1]
            .split('')
            .map((c) => c + c)
            .join('')
        : hex[1];
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/.exec(color);
  if (rgb) {
    const [r, g, b] = rgb[1].split(',').map((s) => s.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return color;
}
