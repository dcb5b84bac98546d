// activate(): builds the services and registers their disposables. No logic of its own.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('checkpointCoverage.openRun', () => {
      void vscode.window.showInformationMessage('Checkpoint Coverage: not wired yet.');
    }),
  );
}

export function deactivate(): void {}
