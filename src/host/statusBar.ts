// Status bar: the execution provider and the scoring progress ("cpu · scoring 3/40 · 12k tok/s").
import * as vscode from 'vscode';
import type { RunSnapshot } from '../shared/protocol';
import { Disposable } from './disposable';
import { progressText } from './snapshot';

export class ScoringStatus extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('checkpointCoverage.status', vscode.StatusBarAlignment.Left, 50));

  constructor(showPanelCommand: string) {
    super();
    this.item.name = 'Checkpoint Coverage';
    this.item.command = showPanelCommand;
  }

  update(snap: RunSnapshot | null): void {
    if (!snap) {
      this.item.hide();
      return;
    }
    const p = snap.progress;
    const busy = p.current !== null;
    // Until the worker has opened a session there is no provider to name; the product's name stands in.
    const parts = [p.provider ?? 'Checkpoint Coverage', progressText(p) ?? 'no checkpoints yet'];
    if (snap.awaitingTrust) parts[1] = 'waiting for workspace trust';
    this.item.text = `${busy ? '$(sync~spin)' : snap.error ? '$(error)' : '$(graph-line)'} ${parts.join(' · ')}`;
    this.item.tooltip = `Checkpoint Coverage: ${snap.runPath}${snap.suggested ? `\nsuggested: step ${snap.suggested.step}` : ''}${snap.error ? `\n${snap.error}` : ''}`;
    this.item.show();
  }
}
