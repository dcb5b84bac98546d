// Run-relative paths: the stable identity of files in a run (see types.ts), the check that
// keeps paths from coverage.json inside the run folder, and file-system error wording.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** `abs` relative to `root` with '/' separators, or undefined when it lies outside `root`. */
export function runRelative(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/**
 * Resolves `p` against `root` and tells whether it stays inside, both by name and, when the
 * path exists, after following symbolic links: a link inside the run that points elsewhere
 * escapes just as `../x` does.
 */
export async function resolveInside(root: string, p: string): Promise<{ abs: string; inside: boolean }> {
  const abs = resolve(root, p);
  if (runRelative(root, abs) === undefined) return { abs, inside: false };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    // No root to compare with: the reader of the root reports it.
    return { abs, inside: true };
  }
  // A path that does not exist yet (the store, before the first score) can still lead out
  // through a link in a folder above it, so the nearest existing ancestor is resolved.
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      return { abs, inside: runRelative(realRoot, join(real, ...rest)) !== undefined };
    } catch {
      const up = dirname(existing);
      if (up === existing) return { abs, inside: true };
      rest.unshift(basename(existing));
      existing = up;
    }
  }
}

/** The short code of a file-system error (ENOENT, EACCES…) for messages, else its text. */
export function fsErrorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return e instanceof Error ? e.message : String(e);
}
