// The score store. This index offers the pure file format (record.ts), which the worker protocol and
// the webview type-check against, so it imports nothing from node. The parts that touch the disk are
// imported from their own files: files.ts (read/write stored scores), claims.ts (cross-process claims),
// contentHash.ts (a checkpoint's key) and verify.ts (checking a whole store).
export * from './record';
