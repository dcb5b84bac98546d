// Every checkpoint's figures, one row each; clicking a row opens its inspect view, clicking a
// column's header sorts by it, and with several runs a dropdown narrows the table to one run.
import type { CheckpointRow, PanelSnapshot, RunCheckpointId } from '../src/shared/protocol';
import type { PanelUiState } from '../src/shared/uiState';
import { clear, h, text } from './dom';
import { nextSort, tableColumns, tableRows, type TableColumn } from './tableShaping';

export interface TableEvents {
  pick: (id: RunCheckpointId) => void;
  /** The sort or the run filter changed. */
  view: (patch: Pick<Partial<PanelUiState>, 'sort' | 'runFilter'>) => void;
}

interface Kept {
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  /** The header as drawn (labels, sort): another header means a new table. */
  header: string;
  rows: Map<string, Shown>;
}

type Cells = (readonly [string, string | null])[];

/** A row as drawn: its element, what it showed as one string, and its cells. */
interface Shown {
  tr: HTMLTableRowElement;
  shown: string;
  cells: Cells;
}

const kept = new WeakMap<HTMLElement, Kept>();

/**
 * The table is kept between snapshots: a row is touched only when what it shows changed, and then
 * only its changed cells, so runs of hundreds of checkpoints do not rebuild hundreds of rows (a new
 * report can move every row's tournament score) each time the snapshot moves while they score.
 */
export function renderTable(container: HTMLElement, snap: PanelSnapshot, ns: number[], ui: PanelUiState, on: TableEvents): void {
  const cols = tableColumns(snap, ns);
  const header = JSON.stringify([cols.map((c) => c.label), ui.sort]);
  let k = kept.get(container);
  if (!k || k.header !== header || k.table.parentElement !== container) {
    const table = h('table', { 'data-testid': 'figures-table', class: 'figures' });
    table.append(h('thead', {}, h('tr', {}, ...cols.map((c) => headerCell(c, ui, on)))));
    const body = h('tbody');
    table.append(body);
    clear(container);
    container.append(table);
    k = { table, body, header, rows: new Map() };
    kept.set(container, k);
  }
  const rows = new Map<string, Shown>();
  const order: HTMLTableRowElement[] = [];
  for (const r of tableRows(snap, cols, ui)) {
    const id = { run: r.run.runPath, path: r.row.path };
    const key = `${id.run}\u0000${id.path}`;
    const selected = ui.inspecting?.run === id.run && ui.inspecting.path === id.path;
    const cells = cols.map((c) => [c.cell(r), c.note?.(r) ?? null] as const);
    const shown = JSON.stringify([r.row.step, r.row.state, selected, cells]);
    const old = k.rows.get(key);
    let tr: HTMLTableRowElement;
    if (!old)
      tr = buildRow(
        r.row,
        id,
        cols.map((c) => c.key),
        cells,
        selected,
        on.pick,
      );
    else {
      tr = old.tr;
      if (old.shown !== shown) updateRow(tr, r.row, cells, old.cells, selected);
    }
    rows.set(key, { tr, shown, cells });
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

/** A column's header: a click sorts by it (ascending, descending, then the table's own order). */
function headerCell(c: TableColumn, ui: PanelUiState, on: TableEvents): HTMLElement {
  const sorted = ui.sort?.key === c.key ? (ui.sort.descending ? 'descending' : 'ascending') : undefined;
  const th = h(
    'th',
    {
      scope: 'col',
      'data-testid': `col-${c.key}`,
      'aria-sort': sorted,
      class: c.label ? 'sortable' : undefined,
      title: c.label ? `Sort by ${c.label}` : undefined,
    },
    c.label,
    sorted ? (sorted === 'ascending' ? ' ▲' : ' ▼') : '',
  );
  if (c.label) th.addEventListener('click', () => on.view({ sort: nextSort(ui.sort, c.key) }));
  return th;
}

/** Brings a kept row up to date: its state, its selection, and the cells whose text changed. */
function updateRow(tr: HTMLTableRowElement, r: CheckpointRow, cells: Cells, before: Cells, selected: boolean): void {
  tr.setAttribute('data-state', r.state);
  tr.setAttribute('class', selected ? 'selected' : '');
  cells.forEach(([value, note], i) => {
    if (value === before[i][0] && note === before[i][1]) return;
    const td = tr.children[i];
    text(td, value);
    if (note !== null) td.append(h('span', { class: 'ci' }, note));
  });
}

function buildRow(
  r: CheckpointRow,
  id: RunCheckpointId,
  keys: string[],
  cells: Cells,
  selected: boolean,
  onPick: (id: RunCheckpointId) => void,
): HTMLTableRowElement {
  const tr = h('tr', {
    'data-testid': 'checkpoint-row',
    'data-run': id.run,
    'data-step': String(r.step),
    'data-path': id.path,
    'data-state': r.state,
    tabindex: '0',
    class: selected ? 'selected' : undefined,
  });
  cells.forEach(([value, note], i) => {
    // The note (an interval) goes on its own smaller line under the value, so the table fits the panel.
    tr.append(h('td', { class: keys[i] }, value, note === null ? null : h('span', { class: 'ci' }, note)));
  });
  tr.addEventListener('click', () => onPick(id));
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') onPick(id);
  });
  return tr;
}
