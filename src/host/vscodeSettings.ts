// The one place that reads the extension's settings from VS Code.
import * as vscode from 'vscode';
import { SETTING_KEYS, coerceSettings, type CoercedSettings } from '../core/settings';

export const SECTION = 'checkpointCoverage';

export function readSettings(scope?: vscode.Uri): CoercedSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const raw: Record<string, unknown> = {};
  for (const k of SETTING_KEYS) raw[k] = c.get(k);
  return coerceSettings(raw);
}

export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}
