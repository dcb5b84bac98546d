// One LogOutputChannel for the extension; every line says which component wrote it.
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { SessionLog } from './sessionLog';

export class Log extends Disposable implements SessionLog {
  readonly channel = this._register(vscode.window.createOutputChannel('Checkpoint Coverage', { log: true }));

  debug(component: string, message: string): void {
    this.channel.debug(`[${component}] ${message}`);
  }
  info(component: string, message: string): void {
    this.channel.info(`[${component}] ${message}`);
  }
  warn(component: string, message: string): void {
    this.channel.warn(`[${component}] ${message}`);
  }
  error(component: string, message: string): void {
    this.channel.error(`[${component}] ${message}`);
  }

  show(): void {
    this.channel.show(true);
  }

  /** A short message for the user with a way to the details. */
  async tell(level: 'error' | 'warning' | 'info', message: string): Promise<void> {
    const show = 'Show Log';
    const f =
      level === 'error'
        ? vscode.window.showErrorMessage
        : level === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    if ((await f(message, show)) === show) this.show();
  }
}
