// activate(): builds the services and registers their disposables. No logic of its own.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { createDemoRun } from './core/demo/run';
import { CMD, Controller } from './host/controller';
import { createEngine } from './host/engineAdapter';
import { Log } from './host/log';
import { CoveragePanel } from './host/panel';
import { registerSlurmCommand } from './host/slurmCommand';
import { restoreUiState } from './shared/uiState';
import type { RunNode } from './host/treeView';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const engine = createEngine({
      isTrusted: () => vscode.workspace.isTrusted,
      log: (level, message) => (level === 'warning' ? log.warn('worker', message) : log.info('worker', message)),
      workerScript: join(context.extensionPath, 'dist', 'worker.js'),
    });
    const controller = new Controller(context, log, engine, async (dir) => {
      createDemoRun(dir);
    });
    context.subscriptions.push(
      // The runs close (their jobs cancelled) before the worker they share ends.
      { dispose: () => void engine.dispose() },
      controller,
      // From the Explorer's context menu: the clicked folder, and every selected one.
      vscode.commands.registerCommand(CMD.openRun, (uri?: unknown, uris?: unknown) => controller.openRun(asUri(uri), asUris(uris))),
      vscode.commands.registerCommand(CMD.addRun, (uri?: unknown, uris?: unknown) => controller.addRun(asUri(uri), asUris(uris))),
      vscode.commands.registerCommand(CMD.removeRun, (node?: RunNode) => controller.removeRun(node)),
      vscode.commands.registerCommand(CMD.createDemoRun, () => controller.createDemoRun()),
      vscode.commands.registerCommand(CMD.rescore, () => controller.rescore()),
      vscode.commands.registerCommand(CMD.exportResults, () => controller.exportResults()),
      vscode.commands.registerCommand(CMD.showLog, () => log.show()),
      vscode.commands.registerCommand(CMD.showPanel, () => controller.showPanel()),
      vscode.commands.registerCommand(CMD.inspect, (run: string, path: string) => controller.inspectCheckpoint(run, path)),
      registerSlurmCommand(context, log, () => controller.openRoots()),
      vscode.window.registerWebviewPanelSerializer(CoveragePanel.viewType, {
        async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
          await controller.revivePanel(
            panel,
            restoreUiState(state).runs.map((r) => ({ root: r.path, colour: r.colour })),
          );
        },
      }),
    );
    log.info(
      'activate',
      `Checkpoint Coverage ${context.extension.packageJSON.version as string} on ${process.platform}-${process.arch}, Node ${process.version}`,
    );
  } catch (err) {
    // A failed activation must reach the user, not only the developer console.
    log.error('activate', err instanceof Error ? (err.stack ?? err.message) : String(err));
    void log.tell('error', `Checkpoint Coverage could not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const asUri = (u: unknown): vscode.Uri | undefined => (u instanceof vscode.Uri ? u : undefined);
const asUris = (u: unknown): vscode.Uri[] | undefined =>
  Array.isArray(u) ? u.filter((x): x is vscode.Uri => x instanceof vscode.Uri) : undefined;

export function deactivate(): void {}
