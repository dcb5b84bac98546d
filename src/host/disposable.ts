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

/** A group disposed together and then reusable: what one open run created, say. */
export class DisposableStore extends Disposable {
  private group: { dispose(): unknown }[] = [];

  add<T extends { dispose(): unknown }>(d: T): T {
    if (this.isDisposed) d.dispose();
    else this.group.push(d);
    return d;
  }

  /** Disposes everything added so far, in reverse order; the store stays usable. */
  clear(): void {
    for (const d of this.group.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // One failing dispose must not keep the others alive.
      }
    }
  }

  override dispose(): void {
    this.clear();
    super.dispose();
  }
}

/** Wraps an unsubscribe function as a disposable. */
export const toDisposable = (f: () => unknown): { dispose(): void } => ({ dispose: () => void f() });

/** Anything with a dispose(): what a service hands over for its owner to end. */
export type DisposableLike = { dispose(): unknown };
