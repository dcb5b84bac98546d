// Implements the commands and wires the services around the open runs (RunSet, no vscode): the
// tree, the status bar and the panel. Open Run… shows the chosen runs; Add Run to Panel… adds
// them to those shown; a sweep folder offers its nested runs. Everything a user is asked
// (folders, which nested runs, save targets) is asked here; the rest is RunSet's.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { nestedRunsOf } from '../run/openRun';
import type { ExportFormat, InspectData, PanelSnapshot } from '../shared/protocol';
import { errorText } from '../shared/rpc';
import { onDidChangeSettings, readSettings } from './vscodeSettings';
import { Disposable, toDisposable } from './disposable';
import type { RunEngine } from './engine';
import { exportFigures, exportResults, saveChartImage, type ExportSource } from './exportDialogs';
import type { Log } from './log';
import { CoveragePanel, type PanelHost } from './panel';
import { RunSet, type RunRequest } from './runSet';
import { watchRun } from './runWatching';
import { ScoringStatus } from './statusBar';
import { CheckpointTree, type RunNode } from './treeView';

export const CMD = {
  openRun: 'checkpointCoverage.openRun',
  addRun: 'checkpointCoverage.addRun',
  removeRun: 'checkpointCoverage.removeRun',
  createDemoRun: 'checkpointCoverage.createDemoRun',
  rescore: 'checkpointCoverage.rescore',
  exportResults: 'checkpointCoverage.exportResults',
  showLog: 'checkpointCoverage.showLog',
  showPanel: 'checkpointCoverage.showPanel',
  inspect: 'checkpointCoverage.inspectCheckpoint',
} as const;

export class Controller extends Disposable implements PanelHost {
  private readonly runs: RunSet;
  private panel: CoveragePanel | undefined;
  private readonly tree: CheckpointTree;
  private readonly status: ScoringStatus;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: Log,
    engine: RunEngine,
    private readonly createDemo: (dir: string) => Promise<void>,
  ) {
    super();
    this.tree = this._register(new CheckpointTree(CMD.inspect));
    this.status = this._register(new ScoringStatus(CMD.showPanel));
    const settingsOf = (root: string) => readSettings(vscode.Uri.file(root));
    this.runs = this._register(
      new RunSet({
        engine,
        log,
        settings: (root) => {
          const { settings, problems } = settingsOf(root);
          for (const p of problems) log.warn('config', p);
          return settings;
        },
        isTrusted: () => vscode.workspace.isTrusted,
        notifyUser: (m) => void log.tell('warning', m),
        watch: (session) => watchRun(session, settingsOf(session.root).settings.polling, log),
      }),
    );
    this._register(toDisposable(this.runs.onDidChange((s) => this.publish(s))));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.runs.resume()));
    this._register(
      onDidChangeSettings(() => {
        const { problems } = readSettings();
        for (const p of problems) log.warn('config', p);
        if (this.runs.roots.length > 0) {
          log.info('config', 'settings changed: reopening the runs');
          void this.runs.reopen();
        }
      }),
    );
  }

  /** Open Run…: the panel shows exactly the chosen runs (from the Explorer: every selected folder). */
  async openRun(uri?: vscode.Uri, uris?: readonly vscode.Uri[], showPanel = true): Promise<void> {
    const roots = await this.chooseRuns(uri, uris, 'Open Run');
    if (!roots) return;
    if (showPanel) this.showPanel();
    await this.runs.replace(roots.map((root) => ({ root })));
    await this.askForTrust();
  }

  /** Add Run to Panel…: the chosen runs join those shown. */
  async addRun(uri?: vscode.Uri, uris?: readonly vscode.Uri[]): Promise<void> {
    const roots = await this.chooseRuns(uri, uris, 'Add Run to Panel');
    if (!roots) return;
    this.showPanel();
    await this.runs.add(roots.map((root) => ({ root })));
    await this.askForTrust();
  }

  /** Takes a run out of the panel (from its tree node, the panel, or a pick among the open runs). */
  async removeRun(arg?: string | RunNode): Promise<void> {
    let root = typeof arg === 'string' ? arg : arg?.run;
    if (!root) {
      const open = this.runs.snapshot().runs;
      if (open.length === 0) return;
      const pick = await vscode.window.showQuickPick(
        open.map((r) => ({ label: r.label, description: r.runPath, root: r.runPath })),
        { title: 'Remove Run from Panel' },
      );
      root = pick?.root;
    }
    if (root) this.runs.remove(root);
  }

  async createDemoRun(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Create Demo Run Here',
      title: 'Folder to create the demo run in',
    });
    if (!picked?.[0]) return;
    const dir = vscode.Uri.joinPath(picked[0], 'demo-run');
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Writing the demo run…' }, () =>
        this.createDemo(dir.fsPath),
      );
    } catch (err) {
      this.log.error('demo', errorText(err));
      void this.log.tell('error', `Could not create the demo run: ${errorText(err)}`);
      return;
    }
    await this.openRun(dir);
  }

  rescore(): void {
    if (!this.hasRuns()) return;
    this.runs.rescore();
  }

  async exportResults(): Promise<void> {
    if (!this.hasRuns()) return;
    await exportResults(this.exportSource());
  }

  /** The open runs' folders (Score on Slurm… picks among them). */
  openRoots(): string[] {
    return this.runs.roots;
  }

  // ---- PanelHost ----
  currentSnapshot(): PanelSnapshot {
    return this.runs.snapshot();
  }

  inspect(run: string, path: string): Promise<InspectData> {
    return this.runs.inspect(run, path);
  }

  exportFigures(format: ExportFormat): Promise<string | null> {
    return exportFigures(this.exportSource(), format);
  }

  saveImage(name: string, dataUrl: string): Promise<string | null> {
    return saveChartImage(this.exportSource(), name, dataUrl);
  }

  didSelect(run: string, path: string): void {
    this.runs.prioritize(run, path);
    void this.tree.reveal(run, path);
  }

  // ---- panel lifecycle ----
  showPanel(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.attachPanel(CoveragePanel.create(this.context.extensionUri, this));
  }

  /** Called by the serializer after a reload; reopens the runs the panel showed, in their colours. */
  async revivePanel(webviewPanel: vscode.WebviewPanel, runs: readonly RunRequest[]): Promise<void> {
    this.panel?.dispose();
    this.attachPanel(CoveragePanel.revive(webviewPanel, this.context.extensionUri, this));
    const open = this.runs.roots;
    if (runs.length > 0 && (open.length !== runs.length || runs.some((r, i) => r.root !== open[i]))) await this.runs.replace(runs);
  }

  async inspectCheckpoint(run: string, path: string): Promise<void> {
    this.showPanel();
    this.runs.prioritize(run, path);
    this.panel?.showInspect(run, path);
  }

  /**
   * The runs the user means: the folders given (the Explorer's selection) or picked, where a
   * folder holding nested runs (a sweep) offers them, all ticked. Undefined when cancelled.
   */
  private async chooseRuns(
    uri: vscode.Uri | undefined,
    uris: readonly vscode.Uri[] | undefined,
    title: string,
  ): Promise<string[] | undefined> {
    let folders = uris && uris.length > 0 ? [...uris] : uri ? [uri] : undefined;
    if (!folders) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: true,
        openLabel: title,
        title: `${title}: training run folders (or a sweep folder holding runs)`,
      });
      if (!picked?.length) return undefined;
      folders = picked;
    }
    const local = folders.filter((f) => f.scheme === 'file');
    for (const f of folders) {
      if (f.scheme !== 'file')
        void this.log.tell('error', `Checkpoint Coverage reads runs from the local file system; ${f.toString()} is not a local folder.`);
    }
    const roots: string[] = [];
    for (const f of local) {
      const chosen = await this.offerNestedRuns(f.fsPath, title);
      if (!chosen) return undefined;
      roots.push(...chosen);
    }
    return roots.length > 0 ? [...new Set(roots)] : undefined;
  }

  /** A sweep folder's nested runs to pick from; a plain run folder is itself. */
  private async offerNestedRuns(root: string, title: string): Promise<string[] | undefined> {
    let found: { runs: string[]; checkpoints: number };
    try {
      found = await nestedRunsOf(root, { allowOutside: vscode.workspace.isTrusted });
    } catch {
      // The run cannot be read: the session says why when it opens.
      return [root];
    }
    if (found.runs.length === 0) return [root];
    const items = [
      ...found.runs.map((r) => ({ label: basename(r), description: r, root: r, picked: true })),
      ...(found.checkpoints > 0
        ? [{ label: basename(root), description: `${found.checkpoints} checkpoints of the folder itself`, root, picked: false }]
        : []),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: `${title}: ${basename(root)} holds ${found.runs.length} runs`,
      placeHolder: 'The runs to show side by side',
    });
    return picked && picked.length > 0 ? picked.map((p) => p.root) : undefined;
  }

  private hasRuns(): boolean {
    if (this.runs.roots.length > 0) return true;
    void vscode.window.showInformationMessage('Open a run first (Checkpoint Coverage: Open Run…).');
    return false;
  }

  private async askForTrust(): Promise<void> {
    if (vscode.workspace.isTrusted || this.runs.roots.length === 0) return;
    const trust = 'Manage Workspace Trust';
    const pick = await vscode.window.showWarningMessage(
      "Scoring runs the checkpoints' ONNX graphs. Trust this workspace to start scoring.",
      trust,
    );
    if (pick === trust) await vscode.commands.executeCommand('workbench.trust.manage');
  }

  private exportSource(): ExportSource {
    return {
      roots: this.runs.roots,
      snapshot: () => this.currentSnapshot(),
      chartImages: () => {
        if (!this.panel) this.showPanel();
        return this.panel!.collectChartImages();
      },
      log: this.log,
    };
  }

  private attachPanel(panel: CoveragePanel): void {
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private publish(snap: PanelSnapshot): void {
    this.tree.update(snap);
    this.status.update(snap);
    this.panel?.postSnapshot(snap);
  }
}
