// Re-checks a whole store folder: every score file must decode (magic, sizes, CRC, shapes)
// and carry the key its name was made from. Used by the fault tests after killing writers
// and scorers at random moments, and usable on a shared store after sharded scoring.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeScoreRecord, storeFileName, type StoreKey } from './record';

export interface StoreVerification {
  /** Score files that decode and whose name matches their key. */
  valid: { file: string; key: StoreKey; checkpointPath: string }[];
  /** Score files that would be refused (and rescored) on lookup, with why. */
  invalid: { file: string; reason: string }[];
  /** Temp files of interrupted writes (never read; removed once old). */
  temporary: string[];
}

export async function verifyStore(scoresDir: string): Promise<StoreVerification> {
  const out: StoreVerification = { valid: [], invalid: [], temporary: [] };
  let names: string[];
  try {
    names = (await fs.readdir(scoresDir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new Error(`${scoresDir}: cannot list the score store (${(e as Error).message})`);
  }
  for (const name of names) {
    const file = join(scoresDir, name);
    if (name.includes('.ccscores.tmp-')) {
      out.temporary.push(file);
      continue;
    }
    if (!name.endsWith('.ccscores')) continue;
    const r = decodeScoreRecord(await fs.readFile(file));
    if (!r.ok) out.invalid.push({ file, reason: r.reason });
    else if (storeFileName(r.record.key) !== name)
      out.invalid.push({
        file,
        reason: `holds the scores for key ${JSON.stringify(r.record.key)}, which belong in ${storeFileName(r.record.key)}`,
      });
    else out.valid.push({ file, key: r.record.key, checkpointPath: r.record.info.checkpointPath });
  }
  return out;
}
