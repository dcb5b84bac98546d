// activate(): builds the services and registers their disposables. No logic of its own.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { createDemoRun } from './core/demo/run';
import { CMD, Controller } from './host/controller';
import { createEngine } from './host/engineAdapter';
import { Log } from './host/log';
import { CoveragePanel } from './host/panel';
import { registerSlurmCommand } from './host/slurmCommand';
import { UI_STATE_VERSION, type PanelUiState } from './shared/protocol';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const engine = createEngine({
      isTrusted: () => vscode.workspace.isTrusted,
      log: (level, message) => (level === 'warning' ? log.warn('worker', message) : log.info('worker', message)),
      workerScript: join(context.extensionPath, 'dist', 'worker.js'),
    });
    const controller = new Controller(context, log, engine, async (dir) => { createDemoRun(dir); });
    context.subscriptions.push(
      controller,
      vscode.commands.registerCommand(CMD.openRun, (uri?: vscode.Uri) => controller.openRun(uri instanceof vscode.Uri ? uri : undefined)),
      vscode.commands.registerCommand(CMD.createDemoRun, () => controller.createDemoRun()),
      vscode.commands.registerCommand(CMD.rescore, () => controller.rescore()),
      vscode.commands.registerCommand(CMD.exportResults, () => controller.exportResults()),
      vscode.commands.registerCommand(CMD.showLog, () => log.show()),
      vscode.commands.registerCommand(CMD.showPanel, () => controller.showPanel()),
      vscode.commands.registerCommand(CMD.inspect, (path: string) => controller.inspectCheckpoint(path)),
      registerSlurmCommand(context, log, () => controller.currentSnapshot()?.runPath),
      vscode.window.registerWebviewPanelSerializer(CoveragePanel.viewType, {
        async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
          await controller.revivePanel(panel, runPathOf(state));
        },
      }),
    );
    log.info('activate', `Checkpoint Coverage ${context.extension.packageJSON.version as string} on ${process.platform}-${process.arch}, Node ${process.version}`);
  } catch (err) {
    // A failed activation must reach the user, not only the developer console.
    log.error('activate', err instanceof Error ? err.stack ?? err.message : String(err));
    void log.tell('error', `Checkpoint Coverage could not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function runPathOf(state: unknown): string | null {
  const s = state as Partial<PanelUiState> | null | undefined;
  return s && s.version === UI_STATE_VERSION && typeof s.runPath === 'string' ? s.runPath : null;
}

export function deactivate(): void {}
