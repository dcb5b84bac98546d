// Status bar: the execution provider and the scoring progress ("cpu · scoring 3/40 · 12k tok/s"),
// over every open run (they share one worker).
import * as vscode from 'vscode';
import type { PanelSnapshot } from '../shared/protocol';
import { Disposable } from './disposable';
import { totalProgress } from '../shared/progress';
import { progressText } from './snapshot';

export class ScoringStatus extends Disposable {
  private readonly item = this._register(
    vscode.window.createStatusBarItem('checkpointCoverage.status', vscode.StatusBarAlignment.Left, 50),
  );

  constructor(showPanelCommand: string) {
    super();
    this.item.name = 'Checkpoint Coverage';
    this.item.command = showPanelCommand;
  }

  update(snap: PanelSnapshot): void {
    const runs = snap.runs;
    if (runs.length === 0) {
      this.item.hide();
      return;
    }
    const p = totalProgress(runs.map((r) => r.progress));
    const busy = p.current !== null;
    const error = runs.find((r) => r.error)?.error ?? null;
    // Until the worker has opened a session there is no provider to name; the product's name stands in.
    const parts = [p.provider ?? 'Checkpoint Coverage', progressText(p) ?? 'no checkpoints yet'];
    if (runs.some((r) => r.awaitingTrust)) parts[1] = 'waiting for workspace trust';
    this.item.text = `${busy ? '$(sync~spin)' : error ? '$(error)' : '$(graph-line)'} ${parts.join(' · ')}`;
    const suggested =
      runs.length > 1
        ? snap.across?.suggested &&
          `suggested across ${runs.length} runs: step ${snap.across.suggested.step} of ${runs.find((r) => r.runPath === snap.across!.suggested!.run)?.label ?? ''}`
        : runs[0].suggested && `suggested: step ${runs[0].suggested.step}`;
    this.item.tooltip = `Checkpoint Coverage: ${runs.map((r) => r.runPath).join(', ')}${suggested ? `\n${suggested}` : ''}${error ? `\n${error}` : ''}`;
    this.item.show();
  }
}
