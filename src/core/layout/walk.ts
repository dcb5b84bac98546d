// Walks a run folder once and records, per folder, the files it holds. Links are followed,
// each real folder is read once (so link loops end), and a folder that cannot be read is a
// problem, not the end of the scan.
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InputProblem } from '../types';
import { fsErrorCode as errCode, runRelative } from '../paths';

export interface FileInfo {
  name: string;
  abs: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export interface FolderInfo {
  abs: string;
  /** Run-relative path ('.' for the root). */
  rel: string;
  /** Names of the folders from the root down to this one (empty for the root). */
  names: string[];
  files: FileInfo[];
}

export interface WalkOptions {
  /** Absolute folders never entered (the store). */
  skip: string[];
}

const SKIPPED_NAMES = new Set(['node_modules', '__pycache__']);

export async function walkRun(root: string, opts: WalkOptions, problems: InputProblem[]): Promise<FolderInfo[]> {
  const out: FolderInfo[] = [];
  const seen = new Map<string, string>();
  const rootStat = await stat(root);
  seen.set(inode(rootStat), '.');
  const above = await foldersAbove(root);

  const visit = async (abs: string, names: string[], ancestors: Set<string>): Promise<void> => {
    const rel = runRelative(root, abs) ?? abs;
    let entries: string[];
    try {
      entries = await readdir(abs);
    } catch (e) {
      problems.push({ file: rel, message: `cannot read this folder (${errCode(e)}); skipped` });
      return;
    }
    const folder: FolderInfo = { abs, rel, names, files: [] };
    out.push(folder);
    const stats = await Promise.all(
      entries.sort().map(async (name) => {
        const p = join(abs, name);
        try {
          return { name, p, st: (await stat(p)) as Stats | undefined, err: undefined };
        } catch (err) {
          return { name, p, st: undefined, err };
        }
      }),
    );
    const subdirs: { p: string; name: string; key: string }[] = [];
    for (const { name, p, st, err } of stats) {
      if (!st) {
        // A broken link or a file gone since readdir; only worth a word when it looks like a model.
        if (/\.onnx/i.test(name) || errCode(err) === 'ELOOP') {
          problems.push({ file: childRel(rel, name), message: `cannot read (${errCode(err)}); skipped` });
        }
        continue;
      }
      if (st.isDirectory()) {
        if (name.startsWith('.') || SKIPPED_NAMES.has(name) || opts.skip.includes(p)) continue;
        subdirs.push({ p, name, key: inode(st) });
      } else if (st.isFile()) {
        folder.files.push({ name, abs: p, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs });
      }
    }
    // Depth first, and a folder counts as seen only when entered, so the plain path to a folder
    // wins over a link to it that sorts earlier.
    for (const d of subdirs) {
      // A link to a folder that holds the run (`latest -> ..`) would walk the run again and
      // everything beside it, up to the whole disk.
      const holder = above.get(d.key);
      if (holder !== undefined) {
        problems.push({
          file: childRel(rel, d.name),
          message: `symbolic link loop: leads to '${holder}', which contains the run folder; not followed`,
        });
        continue;
      }
      const before = seen.get(d.key);
      if (before !== undefined) {
        const message = ancestors.has(d.key)
          ? `symbolic link loop: leads back to '${before}'; not followed`
          : `leads to a folder already scanned as '${before}'; not scanned twice`;
        problems.push({ file: childRel(rel, d.name), message });
        continue;
      }
      seen.set(d.key, childRel(rel, d.name));
      await visit(d.p, [...names, d.name], new Set([...ancestors, d.key]));
    }
  };

  await visit(root, [], new Set([inode(rootStat)]));
  return out;
}

/** The folders that contain `root` (after following links), by inode. */
async function foldersAbove(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let dir: string;
  try {
    dir = await realpath(root);
  } catch {
    return out;
  }
  for (let up = dirname(dir); up !== dir; dir = up, up = dirname(up)) {
    try {
      out.set(inode(await stat(up)), up);
    } catch {
      break;
    }
  }
  return out;
}

function inode(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/** The run-relative path of `name` inside the folder `rel`. */
export function childRel(rel: string, name: string): string {
  return rel === '.' ? name : `${rel}/${name}`;
}
