// Temp folders for tests, the one way to make them: each is removed when its owner ends (a test's
// `t`, or `fileScope()` for folders built once in a file's `before` hook).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What owns a temp folder: a test context, or a stand-in that runs cleanups later. */
export interface Owner {
  after(fn: () => void): void;
}

/**
 * A new empty folder under the system temp folder, removed when `owner` ends. It is readable by
 * everyone: the permission tests run the CLI as an unprivileged user (root reads any file).
 */
export function tempDir(owner: Owner, prefix = 'cc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  owner.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  return dir;
}

/** A temp run folder holding `files` (run-relative path → content), removed when `owner` ends. */
export function tempRun(owner: Owner, files: Record<string, string | Uint8Array> = {}): string {
  const root = tempDir(owner, 'cc-run-');
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  return root;
}
