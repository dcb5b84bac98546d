// Everything a service creates is registered here and disposed with it, in reverse order.
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly disposables: { dispose(): unknown }[] = [];
  protected isDisposed = false;

  protected _register<T extends { dispose(): unknown }>(d: T): T {
    if (this.isDisposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // One failing dispose must not keep the others alive.
      }
    }
  }
}

/** Wraps an unsubscribe function as a disposable. */
export const toDisposable = (f: () => unknown): { dispose(): void } => ({ dispose: () => void f() });
