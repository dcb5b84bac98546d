// The Explorer tree of the open runs' checkpoints: step, state, CE, Cov at the selection N, and
// marks on the suggested and lowest-CE ones. One run: its checkpoints; several: one node per run
// (in its panel colour, with an inline Remove) holding its checkpoints, and the marks are the
// comparison's. Selecting a checkpoint opens its inspect view.
import * as vscode from 'vscode';
import type { CheckpointRow, PanelRun, PanelSnapshot } from '../shared/protocol';
import { runThemeColour } from '../shared/runColours';
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

/** A run's node (several runs open); the Remove Run action gets it. */
export interface RunNode {
  kind: 'run';
  run: string;
}

interface CheckpointNode {
  kind: 'checkpoint';
  run: string;
  row: CheckpointRow;
}

type Node = RunNode | CheckpointNode;

export class CheckpointTree extends Disposable implements vscode.TreeDataProvider<Node> {
  static readonly viewId = 'checkpointCoverage.checkpoints';
  private snap: PanelSnapshot | null = null;
  /** The snapshot the rows were last drawn from: the nodes VS Code holds are its. */
  private drawn: PanelSnapshot | null = null;
  private readonly redraw = this._register(new Throttle(() => this.redrawIfChanged(), 1000));
  /** Nodes kept per redraw, so reveal() and getParent() hand VS Code the objects it was given. */
  private runNodes = new Map<string, RunNode>();
  private checkpointNodes = new Map<string, CheckpointNode[]>();
  /** The item each node showed at the last redraw, and what it showed as a string. */
  private items = new Map<Node, { item: vscode.TreeItem; key: string }>();
  private readonly changeEmitter = this._register(new vscode.EventEmitter<Node[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<Node>;

  constructor(private readonly inspectCommand: string) {
    super();
    this.view = this._register(
      vscode.window.createTreeView(CheckpointTree.viewId, { treeDataProvider: this, showCollapseAll: false, canSelectMany: false }),
    );
  }

  update(snap: PanelSnapshot): void {
    this.snap = snap;
    const runs = snap.runs;
    const done = runs.reduce((a, r) => a + r.progress.done, 0);
    const total = runs.reduce((a, r) => a + r.rows.length, 0);
    this.view.description =
      runs.length === 0 ? undefined : `${runs.length === 1 ? runs[0].runName : `${runs.length} runs`} · ${done}/${total}`;
    const one = runs.length === 1 ? runs[0] : null;
    this.view.message = one?.error
      ? one.error
      : one && one.rows.length === 0
        ? 'No checkpoints found yet; waiting for the trainer to write some.'
        : undefined;
    this.redraw.request();
  }

  /**
   * Most snapshots only move the progress: redrawing every row for them costs a line per
   * checkpoint, and a row redrawn under the user's click loses the click; rows that did change
   * are redrawn at most once a second, and while the runs and their checkpoints stay the same only
   * those rows go to VS Code (a run of hundreds of checkpoints changes a few rows a second).
   */
  private redrawIfChanged(): void {
    const snap = this.snap;
    const before = this.drawn;
    this.drawn = snap;
    const runs = snap?.runs ?? [];
    const sameNodes = before !== null && shape(before) === shape(snap);
    if (!sameNodes) {
      this.runNodes = new Map(runs.map((r) => [r.runPath, this.runNodes.get(r.runPath) ?? { kind: 'run', run: r.runPath }]));
      this.checkpointNodes = new Map(
        runs.map((r) => [r.runPath, r.rows.map((row) => ({ kind: 'checkpoint' as const, run: r.runPath, row }))]),
      );
    }
    const items = new Map<Node, { item: vscode.TreeItem; key: string }>();
    const changed: Node[] = [];
    const draw = (node: Node) => {
      const item = this.item(node);
      const key = itemKey(item);
      items.set(node, { item, key });
      if (this.items.get(node)?.key !== key) changed.push(node);
    };
    for (const r of runs) {
      if (runs.length > 1) draw(this.runNodes.get(r.runPath)!);
      const nodes = this.checkpointNodes.get(r.runPath)!;
      r.rows.forEach((row, i) => {
        nodes[i].row = row;
        draw(nodes[i]);
      });
    }
    this.items = items;
    if (!sameNodes) this.changeEmitter.fire(undefined);
    else if (changed.length > 0) this.changeEmitter.fire(changed);
  }

  /** Selects a checkpoint picked in the panel. */
  async reveal(run: string, path: string): Promise<void> {
    const node = this.checkpointNodes.get(run)?.find((n) => n.row.path === path);
    if (node && this.view.visible) await this.view.reveal(node, { select: true, focus: false, expand: true });
  }

  getChildren(element?: Node): Node[] {
    const snap = this.drawn;
    if (!snap || element?.kind === 'checkpoint') return [];
    if (element) return this.checkpointNodes.get(element.run) ?? [];
    if (snap.runs.length === 1) return this.checkpointNodes.get(snap.runs[0].runPath) ?? [];
    return [...this.runNodes.values()];
  }

  getParent(element: Node): Node | undefined {
    return element.kind === 'checkpoint' && (this.drawn?.runs.length ?? 0) > 1 ? this.runNodes.get(element.run) : undefined;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return this.items.get(node)?.item ?? this.item(node);
  }

  private item(node: Node): vscode.TreeItem {
    const run = this.drawn!.runs.find((r) => r.runPath === node.run)!;
    return node.kind === 'run' ? this.runItem(run) : this.checkpointItem(run, node.row);
  }

  private runItem(run: PanelRun): vscode.TreeItem {
    const item = new vscode.TreeItem(run.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `run\u0000${run.runPath}`;
    const colour = runThemeColour(run.colour);
    item.iconPath = new vscode.ThemeIcon('circle-filled', colour ? new vscode.ThemeColor(colour) : undefined);
    const sug = this.drawn!.across?.suggested;
    item.description = [
      run.error ? 'cannot score' : `${run.progress.done}/${run.rows.length} scored`,
      sug?.run === run.runPath ? `★ step ${sug.step}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    item.tooltip = `${run.runPath}${run.error ? `\n${run.error}` : ''}`;
    // A plain-text tooltip would be read out instead of the run's name.
    item.accessibilityInformation = { label: `${run.label} · ${item.description}` };
    item.contextValue = 'run';
    return item;
  }

  private checkpointItem(run: PanelRun, row: CheckpointRow): vscode.TreeItem {
    const snap = this.drawn!;
    // With several runs the marks are the comparison's: one suggestion across all of them.
    const across = snap.runs.length > 1;
    const is = (ref: { path: string; run?: string } | null | undefined) =>
      !!ref && ref.path === row.path && (!across || ref.run === run.runPath);
    const suggested = across ? snap.across?.suggested : run.suggested;
    const lowest = across ? snap.across?.minCrossEntropy : run.minCrossEntropy;
    const marks = [is(suggested) ? '★ suggested' : '', is(lowest) ? '▼ lowest CE' : ''].filter(Boolean);
    const item = new vscode.TreeItem(`step ${row.step}`, vscode.TreeItemCollapsibleState.None);
    item.id = `${run.runPath}\u0000${row.path}`;
    item.iconPath = STATE_ICON[row.state];
    const n = String(run.selectionN);
    item.description =
      row.state === 'done'
        ? [`CE ${fmt(row.cePerToken)}`, `Cov@${n} ${fmt(row.coverage[n])}`, ...marks].join(' · ')
        : [stateText(row), ...marks].join(' · ');
    const tip = new vscode.MarkdownString(undefined, false);
    tip.appendText(
      `${across ? `${run.label}: ` : ''}${row.path}\nmodel: ${row.model}\nstate: ${stateText(row)}\nCE/token: ${fmt(row.cePerToken, 6)} nats\nCov@${n}: ${fmt(row.coverage[n], 6)} (lower is better)\ntournament score: ${fmt(row.tournamentScore, 6)}`,
    );
    item.tooltip = tip;
    item.contextValue = `checkpoint.${row.state}`;
    item.command = { command: this.inspectCommand, title: 'Inspect', arguments: [run.runPath, row.path] };
    return item;
  }
}

/** The runs and their checkpoints, in order: while it holds, the tree's nodes stay the same objects. */
function shape(snap: PanelSnapshot | null): string {
  return JSON.stringify(snap?.runs.map((r) => [r.runPath, r.rows.map((x) => x.path)]) ?? []);
}

/** What a tree item shows, as a string: an item whose string did not change is not sent again. */
function itemKey(item: vscode.TreeItem): string {
  const tip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
  const icon = item.iconPath instanceof vscode.ThemeIcon ? [item.iconPath.id, item.iconPath.color?.id] : null;
  return JSON.stringify([item.label, item.description, tip, icon, item.contextValue, item.accessibilityInformation?.label]);
}
