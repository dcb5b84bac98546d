// The Explorer tree of the open run's checkpoints: step, state, CE, Cov at the selection N,
// and marks on the suggested and lowest-CE ones. Selecting one opens its inspect view.
import * as vscode from 'vscode';
import type { CheckpointRow, RunSnapshot } from '../shared/protocol';
import { Disposable } from './disposable';
import { stateText } from '../shared/stateText';
import { fmt } from './exportFigures';
import { Throttle } from './throttle';

const STATE_ICON: Record<CheckpointRow['state'], vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  scoring: new vscode.ThemeIcon('sync~spin'),
  elsewhere: new vscode.ThemeIcon('remote'),
  done: new vscode.ThemeIcon('pass'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
};

export class CheckpointTree extends Disposable implements vscode.TreeDataProvider<CheckpointRow> {
  static readonly viewId = 'checkpointCoverage.checkpoints';
  private snap: RunSnapshot | null = null;
  /** What the rows showed at the last refresh. */
  private shown = '';
  private readonly redraw = this._register(new Throttle(() => this.redrawIfChanged(), () => 1000));
  private readonly changeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<CheckpointRow>;

  constructor(inspectCommand: string) {
    super();
    this.inspectCommand = inspectCommand;
    this.view = this._register(vscode.window.createTreeView(CheckpointTree.viewId, { treeDataProvider: this, showCollapseAll: false }));
  }
  private readonly inspectCommand: string;

  update(snap: RunSnapshot | null): void {
    this.snap = snap;
    this.view.description = snap ? `${snap.runName} · ${snap.progress.done}/${snap.rows.length}` : undefined;
    this.view.message = snap?.error ? snap.error : snap && snap.rows.length === 0 ? 'No checkpoints found yet; waiting for the trainer to write some.' : undefined;
    this.redraw.request();
  }

  /**
   * Most snapshots only move the progress: redrawing every row for them costs a line per
   * checkpoint, and a row redrawn under the user's click loses the click; rows that did change
   * are redrawn at most once a second.
   */
  private redrawIfChanged(): void {
    const shown = this.snap ? treeContent(this.snap) : '';
    if (shown === this.shown) return;
    this.shown = shown;
    this.changeEmitter.fire();
  }

  /** Selects a checkpoint picked in the panel. */
  async reveal(path: string): Promise<void> {
    const row = this.snap?.rows.find((r) => r.path === path);
    if (row && this.view.visible) await this.view.reveal(row, { select: true, focus: false });
  }

  getChildren(element?: CheckpointRow): CheckpointRow[] {
    return element || !this.snap ? [] : this.snap.rows;
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(row: CheckpointRow): vscode.TreeItem {
    const snap = this.snap!;
    const marks = [row.path === snap.suggested?.path ? '★ suggested' : '', row.path === snap.minCrossEntropy?.path ? '▼ lowest CE' : ''].filter(Boolean);
    const item = new vscode.TreeItem(`step ${row.step}`, vscode.TreeItemCollapsibleState.None);
    item.id = row.path;
    item.iconPath = STATE_ICON[row.state];
    const n = String(snap.selectionN);
    item.description = row.state === 'done'
      ? [`CE ${fmt(row.cePerToken)}`, `Cov@${n} ${fmt(row.coverage[n])}`, ...marks].join(' · ')
      : [stateText(row), ...marks].join(' · ');
    const tip = new vscode.MarkdownString(undefined, false);
    tip.appendText(`${row.path}\nstate: ${stateText(row)}\nCE/token: ${fmt(row.cePerToken, 6)} nats\nCov@${n}: ${fmt(row.coverage[n], 6)} (lower is better)\ntournament score: ${fmt(row.tournamentScore, 6)}`);
    item.tooltip = tip;
    item.contextValue = `checkpoint.${row.state}`;
    item.command = { command: this.inspectCommand, title: 'Inspect', arguments: [row.path] };
    return item;
  }
}

/** Everything a row of the tree shows (label, icon, description, tooltip), as one string. */
function treeContent(snap: RunSnapshot): string {
  const n = String(snap.selectionN);
  return JSON.stringify([snap.suggested?.path, snap.minCrossEntropy?.path, n, snap.rows.map((r) => [
    r.path, r.step, stateText(r), r.cePerToken, r.coverage[n] ?? null, r.tournamentScore,
  ])]);
}
