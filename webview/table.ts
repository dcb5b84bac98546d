// Every checkpoint's figures, one row each; clicking a row opens its inspect view. The table is
// kept between snapshots: a row is rebuilt only when what it shows changed, so a run of hundreds
// of checkpoints does not rebuild hundreds of rows for each progress note while it scores.
import type { CheckpointRow, RunSnapshot } from '../src/shared/protocol';
import { clear, h } from './dom';
import { tableColumns } from './shaping';

interface Kept {
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  /** The header's labels: other columns mean a new table. */
  header: string;
  rows: Map<string, { tr: HTMLTableRowElement; shown: string }>;
}

const kept = new WeakMap<HTMLElement, Kept>();

export function renderTable(container: HTMLElement, snap: RunSnapshot, ns: number[], selected: string | null, onPick: (path: string) => void): void {
  const cols = tableColumns(snap, ns);
  const header = JSON.stringify(cols.map((c) => c.label));
  let k = kept.get(container);
  if (!k || k.header !== header || k.table.parentElement !== container) {
    const table = h('table', { 'data-testid': 'figures-table', class: 'figures' });
    table.append(h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c.label)))));
    const body = h('tbody');
    table.append(body);
    clear(container);
    container.append(table);
    k = { table, body, header, rows: new Map() };
    kept.set(container, k);
  }
  const rows = new Map<string, { tr: HTMLTableRowElement; shown: string }>();
  const order: HTMLTableRowElement[] = [];
  for (const r of snap.rows) {
    const cells = cols.map((c) => [c.cell(r, snap), c.note?.(r) ?? null] as const);
    const shown = JSON.stringify([r.step, r.state, r.path === selected, cells]);
    const old = k.rows.get(r.path);
    const tr = old && old.shown === shown ? old.tr : buildRow(r, cols.map((c) => c.key), cells, r.path === selected, onPick);
    rows.set(r.path, { tr, shown });
    order.push(tr);
  }
  k.rows = rows;
  // Put the rows in order, moving only those out of place.
  let at: ChildNode | null = k.body.firstChild;
  for (const tr of order) {
    if (at === tr) at = tr.nextSibling;
    else k.body.insertBefore(tr, at);
  }
  while (at) {
    const next: ChildNode | null = at.nextSibling;
    at.remove();
    at = next;
  }
}

function buildRow(r: CheckpointRow, keys: string[], cells: (readonly [string, string | null])[], selected: boolean, onPick: (path: string) => void): HTMLTableRowElement {
  const tr = h('tr', { 'data-testid': 'checkpoint-row', 'data-step': String(r.step), 'data-path': r.path, 'data-state': r.state, tabindex: '0', class: selected ? 'selected' : undefined });
  cells.forEach(([value, note], i) => {
    // The note (an interval) goes on its own smaller line under the value, so the table fits the panel.
    tr.append(h('td', { class: keys[i] }, value, note === null ? null : h('span', { class: 'ci' }, note)));
  });
  tr.addEventListener('click', () => onPick(r.path));
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') onPick(r.path);
  });
  return tr;
}
