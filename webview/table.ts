// Every checkpoint's figures, one row each; clicking a row opens its inspect view.
import type { RunSnapshot } from '../src/shared/protocol';
import { clear, h } from './dom';
import { tableColumns } from './shaping';

export function renderTable(container: HTMLElement, snap: RunSnapshot, ns: number[], selected: string | null, onPick: (path: string) => void): void {
  const cols = tableColumns(snap, ns);
  const table = h('table', { 'data-testid': 'figures-table', class: 'figures' });
  table.append(h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c.label)))));
  const body = h('tbody');
  for (const r of snap.rows) {
    const tr = h('tr', { 'data-testid': 'checkpoint-row', 'data-step': String(r.step), 'data-path': r.path, 'data-state': r.state, tabindex: '0', class: r.path === selected ? 'selected' : undefined });
    for (const c of cols) {
      const note = c.note?.(r) ?? null;
      // The note (an interval) goes on its own smaller line under the value, so the table fits the panel.
      tr.append(h('td', { class: c.key }, c.cell(r, snap), note === null ? null : h('span', { class: 'ci' }, note)));
    }
    tr.addEventListener('click', () => onPick(r.path));
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') onPick(r.path);
    });
    body.append(tr);
  }
  table.append(body);
  clear(container);
  container.append(table);
}
