// Owns the open run and the services around it (watcher, tree, status bar, panel) and
// implements the commands. One run at a time per window: opening another closes the first.
import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import type { ExportFormat, InspectData, RunSnapshot } from '../shared/protocol';
import { errorText } from '../shared/rpc';
import { onDidChangeSettings, readSettings } from './vscodeSettings';
import { Disposable, DisposableStore, toDisposable } from './disposable';
import type { RunEngine } from './engine';
import { figuresCsv, figuresJson } from './exportFigures';
import type { Log } from './log';
import { CoveragePanel, type PanelHost } from './panel';
import { RunSession } from './runSession';
import { ScoringStatus } from './statusBar';
import { CheckpointTree } from './treeView';
import { StoreWatcher } from './storeWatcher';
import { RunWatcher, decidePolling } from './watcher';

export const CMD = {
  openRun: 'checkpointCoverage.openRun',
  createDemoRun: 'checkpointCoverage.createDemoRun',
  rescore: 'checkpointCoverage.rescore',
  exportResults: 'checkpointCoverage.exportResults',
  showLog: 'checkpointCoverage.showLog',
  showPanel: 'checkpointCoverage.showPanel',
  inspect: 'checkpointCoverage.inspectCheckpoint',
} as const;

export class Controller extends Disposable implements PanelHost {
  private session: RunSession | undefined;
  /** What the open run created (its watcher, its listener); cleared when the run closes. */
  private readonly sessionScope = this._register(new DisposableStore());
  private panel: CoveragePanel | undefined;
  private readonly tree: CheckpointTree;
  private readonly status: ScoringStatus;

  constructor(private readonly context: vscode.ExtensionContext, readonly log: Log, private readonly engine: RunEngine, private readonly createDemo: (dir: string) => Promise<void>) {
    super();
    this.tree = this._register(new CheckpointTree(CMD.inspect));
    this.status = this._register(new ScoringStatus(CMD.showPanel));
    this._register(toDisposable(() => this.closeRun()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.session?.resume()));
    this._register(onDidChangeSettings(() => {
      const { problems } = readSettings();
      for (const p of problems) log.warn('config', p);
      if (this.session) {
        log.info('config', 'settings changed: reopening the run');
        void this.openRun(vscode.Uri.file(this.session.root), false);
      }
    }));
  }

  async openRun(uri?: vscode.Uri, showPanel = true): Promise<void> {
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Open Run', title: 'Open a training run folder' });
      if (!picked?.[0]) return;
      uri = picked[0];
    }
    if (uri.scheme !== 'file') {
      void this.log.tell('error', `Checkpoint Coverage reads runs from the local file system; ${uri.toString()} is not a local folder.`);
      return;
    }
    this.closeRun();
    const root = uri.fsPath;
    const { settings, problems } = readSettings(uri);
    for (const p of problems) this.log.warn('config', p);
    this.log.info('session', `opening ${root}`);
    const session = new RunSession(root, {
      engine: this.engine,
      settings,
      log: this.log,
      isTrusted: () => vscode.workspace.isTrusted,
      notifyUser: (m) => void this.log.tell('warning', m),
    });
    this.session = session;
    this.sessionScope.add(toDisposable(session.onDidChange((s) => this.publish(s))));
    if (showPanel) this.showPanel();
    await session.open();
    if (session !== this.session) return;
    const opened = session.openedRun;
    if (opened) {
      const polling = await decidePolling(root, settings.polling);
      this.log.info('watch', `${polling.poll ? 'polling' : 'native events'}: ${polling.why}`);
      this.sessionScope.add(new RunWatcher(root, { poll: polling.poll, storeDir: opened.storeDir, evalPaths: opened.evalPaths, onError: (m) => this.log.warn('watch', m) }, (batch) => void session.handleBatch(batch)));
      // Other processes (the CLI, cluster tasks, other windows) claim and store into the same store.
      try {
        const store = await StoreWatcher.start(opened.storePath, { poll: polling.poll, onError: (m) => this.log.warn('watch', m) }, (scores) => void session.handleStoreChange(scores));
        if (session === this.session) {
          this.sessionScope.add(store);
          // Whatever was stored while the watcher started.
          void session.handleStoreChange();
        } else store.dispose();
      } catch (err) {
        this.log.warn('watch', `cannot watch the store ${opened.storePath}: ${errorText(err)}; results other processes store are read when the run is reopened`);
      }
    }
    if (!vscode.workspace.isTrusted) {
      const trust = 'Manage Workspace Trust';
      const pick = await vscode.window.showWarningMessage('Scoring runs the checkpoints\' ONNX graphs. Trust this workspace to start scoring.', trust);
      if (pick === trust) await vscode.commands.executeCommand('workbench.trust.manage');
    }
  }

  async createDemoRun(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create Demo Run Here', title: 'Folder to create the demo run in' });
    if (!picked?.[0]) return;
    const dir = vscode.Uri.joinPath(picked[0], 'demo-run');
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Writing the demo run…' }, () => this.createDemo(dir.fsPath));
    } catch (err) {
      this.log.error('demo', errorText(err));
      void this.log.tell('error', `Could not create the demo run: ${errorText(err)}`);
      return;
    }
    await this.openRun(dir);
  }

  rescore(): void {
    if (!this.session) {
      void vscode.window.showInformationMessage('Open a run first (Checkpoint Coverage: Open Run…).');
      return;
    }
    void this.session.rescore();
  }

  async exportResults(): Promise<void> {
    if (!this.session) {
      void vscode.window.showInformationMessage('Open a run first (Checkpoint Coverage: Open Run…).');
      return;
    }
    const pick = await vscode.window.showQuickPick([
      { label: 'CSV', format: 'csv' as const, description: 'every checkpoint\'s figures' },
      { label: 'JSON', format: 'json' as const, description: 'figures, suggestion and reference' },
      { label: 'PNG', format: 'png' as const, description: 'each chart of the panel' },
    ], { title: 'Export Results' });
    if (!pick) return;
    if (pick.format !== 'png') {
      await this.exportFigures(pick.format);
      return;
    }
    if (!this.panel) this.showPanel();
    try {
      const images = await this.panel!.collectChartImages();
      const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Save Charts Here' });
      if (!folder?.[0]) return;
      for (const img of images) await this.writeDataUrl(vscode.Uri.joinPath(folder[0], `${img.name}.png`), img.dataUrl);
      void vscode.window.showInformationMessage(`Saved ${images.length} charts to ${folder[0].fsPath}.`);
    } catch (err) {
      void this.log.tell('error', `Could not export the charts: ${errorText(err)}`);
    }
  }

  // ---- PanelHost ----
  currentSnapshot(): RunSnapshot | null {
    return this.session ? this.session.snapshot() : null;
  }

  inspect(path: string): Promise<InspectData> {
    if (!this.session) return Promise.reject(new Error('no run is open'));
    return this.session.inspect(path);
  }

  async exportFigures(format: ExportFormat): Promise<string | null> {
    const snap = this.currentSnapshot();
    if (!snap) return null;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${snap.runPath}-coverage.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      title: 'Export figures',
    });
    if (!target) return null;
    await writeFile(target.fsPath, format === 'csv' ? figuresCsv(snap) : figuresJson(snap), 'utf8');
    this.log.info('export', `wrote ${target.fsPath}`);
    return target.fsPath;
  }

  async saveImage(name: string, dataUrl: string): Promise<string | null> {
    const base = this.session?.root ?? '';
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${base}-${name}.png`), filters: { PNG: ['png'] }, title: 'Save chart' });
    if (!target) return null;
    await this.writeDataUrl(target, dataUrl);
    return target.fsPath;
  }

  didSelect(path: string): void {
    this.session?.prioritize(path);
    void this.tree.reveal(path);
  }

  // ---- panel lifecycle ----
  showPanel(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.attachPanel(CoveragePanel.create(this.context.extensionUri, this));
  }

  /** Called by the serializer after a reload; reopens the run the panel showed. */
  async revivePanel(webviewPanel: vscode.WebviewPanel, runPath: string | null): Promise<void> {
    this.panel?.dispose();
    this.attachPanel(CoveragePanel.revive(webviewPanel, this.context.extensionUri, this));
    if (runPath && (!this.session || this.session.root !== runPath)) await this.openRun(vscode.Uri.file(runPath), false);
  }

  async inspectCheckpoint(path: string): Promise<void> {
    this.showPanel();
    this.session?.prioritize(path);
    this.panel?.showInspect(path);
  }

  private attachPanel(panel: CoveragePanel): void {
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private publish(snap: RunSnapshot): void {
    this.tree.update(snap);
    this.status.update(snap);
    this.panel?.postSnapshot(snap);
  }

  private closeRun(): void {
    this.sessionScope.clear();
    this.session?.dispose();
    this.session = undefined;
    this.tree.update(null);
    this.status.update(null);
  }

  private async writeDataUrl(target: vscode.Uri, dataUrl: string): Promise<void> {
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
    if (!m) throw new Error('the chart image is not a PNG data URL');
    await writeFile(target.fsPath, Buffer.from(m[1], 'base64'));
    this.log.info('export', `wrote ${target.fsPath}`);
  }
}
