// The coverage panel: one webview per window, restored after reload by its serializer.
// It speaks only the typed protocol through the RPC helper; snapshots are throttled so a
// progress tick per batch does not flood the webview.
import * as vscode from 'vscode';
import type {
  ExportFormat,
  HostToWebviewNotification,
  HostToWebviewRequest,
  InspectData,
  PanelSnapshot,
  WebviewToHostNotification,
  WebviewToHostRequest,
} from '../shared/protocol';
import { RpcEndpoint, type RpcWire } from '../shared/rpc';
import { Disposable } from './disposable';
import type { Log } from './log';
import { Throttle } from './throttle';
import { localRoots, panelHtml } from './webviewHtml';

/** What the panel needs from the controller. */
export interface PanelHost {
  readonly log: Log;
  currentSnapshot(): PanelSnapshot;
  inspect(run: string, path: string): Promise<InspectData>;
  exportFigures(format: ExportFormat): Promise<string | null>;
  saveImage(name: string, dataUrl: string): Promise<string | null>;
  didSelect(run: string, path: string): void;
  rescore(): void;
  addRun(): Promise<void>;
  removeRun(run: string): Promise<void>;
}

/**
 * Least time between two snapshots sent to the webview: each one is serialised twice on its way
 * there and redraws the charts and a table of every checkpoint (its layout grows with the rows), in
 * a renderer that shares the machine with the scoring worker. So the interval grows with the rows:
 * 250 ms for a small run, 1 s at 200 checkpoints, at most 2 s (from 400).
 */
const postIntervalMs = (rows: number): number => Math.min(2000, Math.max(250, rows * 5));

export class CoveragePanel extends Disposable {
  static readonly viewType = 'checkpointCoverage.panel';
  private readonly rpc: RpcEndpoint<HostToWebviewRequest, WebviewToHostRequest, HostToWebviewNotification, WebviewToHostNotification>;
  private pending: PanelSnapshot | null = null;
  private readonly poster = this._register(
    new Throttle(
      () => this.post(),
      () => postIntervalMs(this.pending?.runs.reduce((n, r) => n + r.rows.length, 0) ?? 0),
    ),
  );
  private readonly disposeEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposeEmitter.event;

  static create(extensionUri: vscode.Uri, host: PanelHost): CoveragePanel {
    const panel = vscode.window.createWebviewPanel(CoveragePanel.viewType, 'Checkpoint Coverage', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: localRoots(extensionUri),
    });
    return new CoveragePanel(panel, extensionUri, host);
  }

  /** For the serializer: the webview object survives a reload, our side is rebuilt. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: PanelHost): CoveragePanel {
    panel.webview.options = { enableScripts: true, localResourceRoots: localRoots(extensionUri) };
    return new CoveragePanel(panel, extensionUri, host);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly host: PanelHost,
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.rpc = new RpcEndpoint((wire: RpcWire) => void panel.webview.postMessage(wire), {
      timeoutMs: 15_000,
      onError: (m) => host.log.warn('panel', m),
    });
    this._register({ dispose: () => this.rpc.dispose('panel closed') });
    this._register(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!this.rpc.receive(m)) host.log.warn('panel', `ignored a message that is not RPC: ${JSON.stringify(m).slice(0, 200)}`);
      }),
    );
    this._register(
      panel.onDidDispose(() => {
        this.disposeEmitter.fire();
        this.dispose();
      }),
    );
    const rpc = this.rpc;
    rpc.onRequest('getSnapshotRequest', () => host.currentSnapshot());
    rpc.onRequest('inspectCheckpointRequest', ({ run, path }) => host.inspect(run, path));
    rpc.onRequest('exportFiguresRequest', ({ format }) => host.exportFigures(format));
    rpc.onRequest('saveChartImageRequest', ({ name, dataUrl }) => host.saveImage(name, dataUrl));
    rpc.onNotification('didSelectCheckpointNotification', ({ run, path }) => host.didSelect(run, path));
    rpc.onNotification('rescoreCommandNotification', () => host.rescore());
    rpc.onNotification('addRunCommandNotification', () => void host.addRun());
    rpc.onNotification('removeRunCommandNotification', ({ run }) => void host.removeRun(run));
    rpc.onNotification('showLogCommandNotification', () => host.log.show());
    rpc.onNotification('didHitErrorNotification', ({ message }) => host.log.error('webview', message));
    panel.webview.html = panelHtml(panel.webview, extensionUri);
    this.title(host.currentSnapshot());
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Queues a snapshot; the newest one goes out at most every postIntervalMs. */
  postSnapshot(snap: PanelSnapshot): void {
    this.title(snap);
    this.pending = snap;
    this.poster.request();
  }

  private post(): void {
    const s = this.pending;
    this.pending = null;
    if (s && !this.isDisposed) this.rpc.notify('didChangeSnapshotNotification', s);
  }

  showInspect(run: string, path: string): void {
    this.rpc.notify('showInspectNotification', { run, path });
  }

  collectChartImages(): Promise<{ name: string; dataUrl: string }[]> {
    return this.rpc.request('collectChartImagesRequest', {});
  }

  override dispose(): void {
    if (!this.isDisposed) {
      super.dispose();
      this.panel.dispose();
    }
  }

  private title(snap: PanelSnapshot): void {
    const runs = snap.runs;
    this.panel.title =
      runs.length === 1 ? `Coverage: ${runs[0].runName}` : runs.length > 1 ? `Coverage: ${runs.length} runs` : 'Checkpoint Coverage';
  }
}
