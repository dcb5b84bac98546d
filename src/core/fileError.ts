// Errors about input files, worded so the file is named once: a FileError carries the file and
// a reason that does not repeat it, and systemErrorText words a file-system error without the
// path Node appends. Pure (no node imports): the scoring errors built from these cross processes.
/** What the common file-system error codes mean, in the words Node itself uses. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'illegal operation on a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many symbolic links encountered',
  EMFILE: 'too many open files',
  ENFILE: 'file table overflow',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'i/o error',
  EBUSY: 'resource busy or locked',
  ENAMETOOLONG: 'name too long',
  EEXIST: 'file already exists',
  ESTALE: 'stale file handle',
};

/**
 * A file-system error as `CODE: what it means`, without the path and system call Node appends
 * to its message (callers name the file themselves, once). Other errors keep their message.
 */
export function systemErrorText(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  if (code === undefined) return e instanceof Error ? e.message : String(e);
  return SYSTEM_ERRORS[code] ? `${code}: ${SYSTEM_ERRORS[code]}` : code;
}

/**
 * An input file that cannot be used: `file` and a `reason` that does not repeat it, so a caller
 * that already names the file (a checkpoint's row, a listing under its path) shows the reason
 * alone and nobody has to cut the path out of a message. `kind` says whether the file could not
 * be read at all or was read and found wrong.
 */
export class FileError extends Error {
  override name = 'FileError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly kind: 'unreadable' | 'bad-model' = 'bad-model',
  ) {
    super(`${file}: ${reason}`);
  }
}
