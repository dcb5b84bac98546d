// Running the CLI on bad inputs: fixtures, a command function called with captured streams, and
// the real entry point spawned
// (optionally as an unprivileged user, since root reads files whatever their mode).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { CliIO, Command } from '../../src/cli/args';

export const REPO = join(__dirname, '..', '..');
export const FIXTURES = join(REPO, 'test', 'fixtures', 'badinput');

/** A fixture's bytes: `fixture('eval/malformed.jsonl')`. */
export function fixture(rel: string): Buffer {
  return readFileSync(join(FIXTURES, rel));
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Calls a command's `run` with collecting streams. */
export async function callCommand(command: Command, argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    cwd: REPO,
  };
  const code = await command.run(argv, io);
  return { code, out, err };
}

/** Spawns `node src/cli/main.ts …`; `uid` runs it as that user (root only). */
export function spawnCli(args: string[], opts: { uid?: number } = {}): Promise<CliResult> {
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args],
      { cwd: REPO, encoding: 'utf8', timeout: 30_000, ...ids, env: { ...process.env, HOME: tmpdir() } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, out: stdout, err: stderr });
      },
    );
  });
}

/** The user that permission tests run as, and why they are skipped when there is none. */
export function unprivileged(): { uid?: number; skip: string | false } {
  const uid = process.getuid?.();
  if (uid === undefined) return { skip: 'no POSIX users on this platform' };
  // Root ignores file modes, so the CLI runs as "nobody" to meet a real EACCES.
  if (uid === 0) return { uid: 65534, skip: false };
  return { skip: false };
}

/**
 * Files changed in the last 2 s are still "being written" (README.md), so the CLI
 * sees a fresh checkpoint only after that window: build every run first, then wait once.
 */
export function settle(ms = 2100): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A stand-in for a test's `t` when runs are built once in a file's `before` hook (so the file
 * waits out the settle window once, not once a test): what is given to its `after` runs when
 * every test of the file is done. Call it at the top level of the test file.
 */
export function fileScope(): { after(fn: () => void): void } {
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const fn of cleanups) fn();
  });
  return {
    after: (fn) => {
      cleanups.push(fn);
    },
  };
}
