// The panel's table is kept between snapshots: a row whose cells did not change is the same
// element, a changed one is rebuilt, the order follows the snapshot and rows that left are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CheckpointRow, PanelSnapshot, RunCheckpointId, RunSnapshot } from '../../src/shared/protocol';
import { DEFAULT_UI_STATE, type PanelUiState } from '../../src/shared/uiState';
import { installFakeDom } from '../support/fakeDom';
import { testRunSnapshot } from '../support/snapshots';

/** webview/table.ts, loaded by path: its DOM types are the webview's, not this project's. */
type Events = { pick: (id: RunCheckpointId) => void; view: (patch: Partial<PanelUiState>) => void };
type Render = (box: unknown, snap: PanelSnapshot, ns: number[], ui: PanelUiState, on: Events) => void;
function loadRenderTable(): (box: unknown, snap: RunSnapshot, ns: number[], selected: string | null, onPick: () => void) => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const render = (require(join(__dirname, '..', '..', 'webview', 'table.ts')) as { renderTable: Render }).renderTable;
  // One run, as the panel gets it; the selection is that run's checkpoint.
  return (box, snap, ns, selected, onPick) =>
    render(
      box,
      { version: 1, runs: [{ ...snap, label: snap.runName, colour: 0 }], across: null, acrossError: null },
      ns,
      { ...DEFAULT_UI_STATE, inspecting: selected === null ? null : { run: snap.runPath, path: selected } },
      { pick: onPick, view: () => undefined },
    );
}

const row = (step: number, state: CheckpointRow['state'], ce: number | null): CheckpointRow => ({
  step,
  path: `step-${step}.onnx`,
  state,
  model: 'onnx',
  trainTokens: null,
  samples: null,
  evalTokens: null,
  cePerToken: ce,
  cePerSequence: null,
  kl: null,
  coverage: {},
  coverageInterval: {},
  passAt: null,
  tournamentScore: null,
  rivalStep: null,
});

const snap = (rows: CheckpointRow[]): RunSnapshot => testRunSnapshot(rows);

test('rows are rebuilt only when what they show changed, in the snapshot order', (t) => {
  const dom = installFakeDom();
  t.after(dom.restore);
  const renderTable = loadRenderTable();
  const box = dom.document.createElement('div');
  const trs = () => box.children[0].children[1].children;
  const steps = () => trs().map((tr) => Number(tr.getAttribute('data-step')));
  const pick = () => undefined;

  renderTable(box, snap([row(1, 'done', 2.5), row(2, 'scoring', null), row(3, 'queued', null)]), [16], null, pick);
  const [a, b, c] = trs();
  assert.deepEqual(steps(), [1, 2, 3]);
  const bStepCell = b.children[0];
  // What a row of step 2, done at 1.9, shows when it is drawn new.
  const fresh = dom.document.createElement('div');
  renderTable(fresh, snap([row(2, 'done', 1.9)]), [16], null, pick);
  const bAfter = fresh.children[0].children[1].children[0].children.map((td) => td.textContent);

  // Progress only: nothing a row shows changed, so every row is the element it was.
  renderTable(box, snap([row(1, 'done', 2.5), row(2, 'scoring', null), row(3, 'queued', null)]), [16], null, pick);
  assert.deepEqual(trs(), [a, b, c]);

  // Step 2 finished, step 3 left the run, step 0 arrived first.
  renderTable(box, snap([row(0, 'queued', null), row(1, 'done', 2.5), row(2, 'done', 1.9)]), [16], null, pick);
  assert.deepEqual(steps(), [0, 1, 2]);
  const [, a2, b2] = trs();
  assert.equal(a2, a, 'the unchanged row is kept');
  assert.equal(b2, b, 'the finished row is the same element…');
  assert.equal(b2.getAttribute('data-state'), 'done', '…with its new state');
  assert.deepEqual(
    b2.children.map((td) => td.textContent),
    bAfter,
    '…and the cells a new row would show',
  );
  assert.equal(b2.children[0], bStepCell, 'a cell whose text did not change is not touched');
  assert.ok(!trs().includes(c), 'the row that left is gone');

  // Other columns: a new table.
  const table = box.children[0];
  renderTable(box, snap([row(1, 'done', 2.5)]), [2, 16], null, pick);
  assert.notEqual(box.children[0], table);
  assert.equal(box.children.length, 1);
});
