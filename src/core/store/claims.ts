// Cross-process claims on store keys, so two scorers of one run (two VS Code windows, the CLI
// beside the extension, array jobs on many machines sharing the store over NFS) do not score
// the same checkpoint twice. A claim is a lock file `<store>/locks/<score file name>.lock`
// created with O_EXCL ('wx'), holding who took it; the holder touches it while it works.
//
// The claim only saves work: correctness never depends on it. Score files are written by
// atomic rename, checked by CRC and by their key, so two scorers that both compute a result
// (a lock lost to a takeover race) write the same valid file twice, nothing worse.
//
// A lock is stale, and is taken over, when its holder is on this host and its pid is gone,
// or when it has not changed for `staleMs` as seen by the waiter's own clock (so clocks that
// disagree between machines do not matter; the holder's heartbeat keeps its mtime moving).
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface ClaimOptions {
  /** A lock unchanged this long (holder's heartbeat stopped) is taken over. Default 2 min. */
  staleMs?: number;
  /** How often the holder touches its lock. Default staleMs / 4. */
  heartbeatMs?: number;
  /** How often a waiter looks at the lock. Default 250 ms. */
  pollMs?: number;
}

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Unique per claim, so a holder never removes a lock that was taken over from it. */
  token: string;
  /** The checkpoint being scored (run-relative), so others can show who scores what without hashing. */
  checkpoint?: string;
}

export interface Claim {
  readonly file: string;
  release(): Promise<void>;
}

export type ClaimAttempt = { claimed: true; claim: Claim } | { claimed: false; holder: LockHolder | null; file: string };

const DEFAULT_STALE_MS = 120_000;

/** The locks folder beside the scores folder: `<store>/locks`. */
export function locksDir(scoresDir: string): string {
  return join(scoresDir, '..', 'locks');
}

export function describeHolder(h: LockHolder | null): string {
  return h ? `process ${h.pid} on ${h.host} (since ${h.startedAt})` : 'another scorer';
}

/**
 * Takes the lock for `name` when it is free (or its holder is dead on this host); never waits.
 * `checkpoint` (run-relative) is written into the lock for readClaims.
 */
export async function tryClaim(dir: string, name: string, o: ClaimOptions = {}, checkpoint?: string): Promise<ClaimAttempt> {
  const file = join(dir, `${name}.lock`);
  await fs.mkdir(dir, { recursive: true });
  for (let round = 0; round < 2; round++) {
    const me: LockHolder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
      ...(checkpoint === undefined ? {} : { checkpoint }),
    };
    try {
      const h = await fs.open(file, 'wx');
      try {
        await h.writeFile(JSON.stringify(me));
      } finally {
        await h.close();
      }
      return { claimed: true, claim: holdClaim(file, me, o) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the lock ${file}: ${(e as Error).message}`);
    }
    const holder = await readHolder(file);
    if (round === 0 && holder && holderIsDead(holder)) {
      await breakLock(file, holder.token);
      continue;
    }
    return { claimed: false, holder, file };
  }
  return { claimed: false, holder: await readHolder(file), file };
}

/**
 * Resolves once the lock for `name` is gone (released, or taken over as stale here). Rejects
 * when `signal` aborts. The caller then looks in the store and claims again if it is empty.
 */
export async function waitForRelease(dir: string, name: string, o: ClaimOptions = {}, signal?: AbortSignal): Promise<void> {
  const file = join(dir, `${name}.lock`);
  const staleMs = o.staleMs ?? DEFAULT_STALE_MS;
  let seen = '';
  let since = Date.now();
  for (;;) {
    if (signal?.aborted) throw new Error('cancelled: stopped while waiting for another scorer');
    let st;
    try {
      st = await fs.stat(file);
    } catch {
      return;
    }
    const holder = await readHolder(file);
    const look = `${st.mtimeMs}:${st.size}:${holder?.token ?? ''}`;
    if (look !== seen) {
      seen = look;
      since = Date.now();
    }
    if ((holder && holderIsDead(holder)) || Date.now() - since >= staleMs) {
      await breakLock(file, holder?.token);
      return;
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}

function holdClaim(file: string, me: LockHolder, o: ClaimOptions): Claim {
  const every = o.heartbeatMs ?? Math.max(50, Math.floor((o.staleMs ?? DEFAULT_STALE_MS) / 4));
  const beat = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch(() => undefined);
  }, every);
  beat.unref();
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      // A lock taken over while we were (wrongly) thought dead belongs to its new holder.
      if ((await readHolder(file))?.token === me.token) await fs.rm(file, { force: true });
    },
  };
}

/** A claim as another process sees it: for showing who scores what, never for deciding to score. */
export interface ClaimView {
  /** The lock file. */
  file: string;
  /** Null while the lock is being written, or when it is not ours to read. */
  holder: LockHolder | null;
  /**
   * Whether its holder looks alive: not a vanished pid on this host, and touched within staleMs
   * (by the holder's clock against this machine's). A suspended or dead holder elsewhere stops
   * touching its lock; waiters take such a claim over after staleMs.
   */
  live: boolean;
}

/** Every claim in the store's locks folder (`scoresDir` is the store's scores folder). */
export async function readClaims(scoresDir: string, o: Pick<ClaimOptions, 'staleMs'> = {}): Promise<ClaimView[]> {
  const dir = locksDir(scoresDir);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.lock')).sort();
  } catch {
    return [];
  }
  const out: ClaimView[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) continue; // released while we listed
    const holder = await readHolder(file);
    const fresh = Date.now() - st.mtimeMs < (o.staleMs ?? DEFAULT_STALE_MS);
    out.push({ file, holder, live: fresh && !(holder && holderIsDead(holder)) });
  }
  return out;
}

async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const h = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string') {
      return {
        pid: h.pid,
        host: h.host,
        startedAt: String(h.startedAt ?? ''),
        token: h.token,
        ...(typeof h.checkpoint === 'string' ? { checkpoint: h.checkpoint } : {}),
      };
    }
  } catch {
    // Missing, or caught between create and write: treated as held by someone unknown.
  }
  return null;
}

function holderIsDead(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a stale lock. Renaming first makes the removal one atomic step: of two waiters
 * breaking the same lock, one renames it and the other finds nothing. If what was renamed is
 * not the stale lock (a new holder got in between), it is put back unless yet another exists.
 */
async function breakLock(file: string, staleToken: string | undefined): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return;
  }
  const moved = await readHolder(aside);
  if (staleToken !== undefined && moved && moved.token !== staleToken) await fs.link(aside, file).catch(() => undefined);
  await fs.rm(aside, { force: true });
}
