// The runs the panel shows, each in its colour (the charts' legend names them the same way):
// a run's chip has its label, its folder as tooltip, and a button that takes it out of the panel;
// "Add Run…" asks the host for more. And the dropdown that narrows the table to one of them.
import type { PanelSnapshot } from '../src/shared/protocol';
import type { PanelUiState } from '../src/shared/uiState';
import { button, dropdown } from './components';
import { h } from './dom';
import { runColourOf, type Palette } from './theme';

export interface RunsBarEvents {
  add: () => void;
  remove: (run: string) => void;
}

export function runsBar(snap: PanelSnapshot, palette: Palette, on: RunsBarEvents): HTMLElement {
  const bar = h('div', { 'data-testid': 'runs-bar', class: 'runs-bar' });
  for (const r of snap.runs) {
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = runColourOf(palette, r.colour);
    const remove = h(
      'button',
      {
        class: 'link remove',
        'data-testid': 'run-remove',
        title: `Remove ${r.label} from the panel (it is no longer watched or scored)`,
        'aria-label': `Remove ${r.label}`,
      },
      '×',
    );
    remove.addEventListener('click', () => on.remove(r.runPath));
    bar.append(
      h(
        'span',
        {
          class: r.error ? 'run-chip error' : 'run-chip',
          'data-testid': 'run-chip',
          'data-run': r.runPath,
          'data-colour': String(r.colour),
          title: r.error ? `${r.runPath}\n${r.error}` : r.runPath,
        },
        swatch,
        r.label,
        r.error ? ' (cannot score)' : '',
        remove,
      ),
    );
  }
  bar.append(button('Add Run…', 'add-run', on.add, true));
  return bar;
}

const EVERY_RUN = '*';

/** With several runs: the dropdown that narrows the table to one run (kept apart, so a redraw of the rows leaves it open). */
export function runFilter(
  snap: PanelSnapshot,
  ui: PanelUiState,
  on: { view: (patch: Pick<PanelUiState, 'runFilter'>) => void },
): HTMLElement | null {
  if (snap.runs.length < 2) return null;
  const options = [{ value: EVERY_RUN, label: 'every run' }, ...snap.runs.map((r) => ({ value: r.runPath, label: r.label }))];
  const current = ui.runFilter !== null && snap.runs.some((r) => r.runPath === ui.runFilter) ? ui.runFilter : EVERY_RUN;
  return h(
    'label',
    { class: 'run-filter' },
    'Show: ',
    dropdown('run-filter', options, current, (v) => on.view({ runFilter: v === EVERY_RUN ? null : v })),
  );
}
