// SHA-256 of model files, cached by (path, size, mtime) so a rescan of a large run rehashes
// only what changed. The cache lives in memory and, optionally, in a JSON file under the run's
// store folder (never inside a checkpoint folder). A lost or corrupt cache file only costs time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}
const FORMAT = 1;

export function sha256File(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(h.digest('hex')));
  });
}

export class HashCache {
  private entries = new Map<string, Entry>();
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  /** How many files were actually read and hashed (tests check the cache is used). */
  hashed = 0;

  constructor(private readonly file?: string) {}

  /** The run's cache file under its store folder, loaded: what every front end over a run uses. */
  static async forStore(storeDir: string): Promise<HashCache> {
    const cache = new HashCache(join(storeDir, 'hashes.json'));
    await cache.load();
    return cache;
  }

  /** Reads the cache file if there is one; a missing or unreadable file starts empty. */
  async load(): Promise<void> {
    if (!this.file) return;
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      if (!isCacheFile(data)) return;
      for (const [path, e] of Object.entries(data.entries)) {
        if (isEntry(e)) this.entries.set(path, e);
      }
    } catch {
      // Absent or corrupt: rebuilding it is only a matter of time.
    }
  }

  async hash(path: string, size: number, mtimeMs: number): Promise<string> {
    const e = this.entries.get(path);
    if (e && e.size === size && e.mtimeMs === mtimeMs) return e.sha256;
    const sha256 = await sha256File(path);
    this.hashed++;
    this.entries.set(path, { size, mtimeMs, sha256 });
    this.dirty = true;
    return sha256;
  }

  /**
   * Writes the cache file atomically (temp + rename) when something changed. Never throws. Saves
   * asked for while one writes run after it, one at a time: a rescan and a job can both save, and
   * two writes of one temp file at once could mix, or rename it from under each other.
   */
  save(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.entries) }));
      await rename(tmp, this.file);
    } catch {
      // A read-only or full disk: keep the in-memory cache and go on (and try again next time).
      this.dirty = true;
    }
  }
}

function isCacheFile(x: unknown): x is { format: number; entries: Record<string, unknown> } {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return o.format === FORMAT && typeof o.entries === 'object' && o.entries !== null;
}

function isEntry(x: unknown): x is Entry {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o.size === 'number' && typeof o.mtimeMs === 'number' && typeof o.sha256 === 'string' && /^[0-9a-f]{64}$/.test(o.sha256);
}
