// Decides whether a folder lives on a network file system, where inotify sees no remote
// writes and chokidar must poll. Linux only (/proc/mounts); elsewhere the setting decides.

export interface MountEntry {
  mountPoint: string;
  fsType: string;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal (\040 …). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3) continue;
    out.push({ mountPoint: unescapeMount(parts[1]), fsType: parts[2] });
  }
  return out;
}

/** File system type of the mount holding `absPath` (the longest matching mount point wins). */
export function fsTypeOf(absPath: string, mounts: readonly MountEntry[]): string | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint === '/' ? '/' : m.mountPoint.replace(/\/+$/, '');
    const inside = mp === '/' || absPath === mp || absPath.startsWith(mp + '/');
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = { mountPoint: mp, fsType: m.fsType };
  }
  return best?.fsType;
}

const NETWORK_TYPES = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smbfs',
  'smb3',
  '9p',
  'afs',
  'ceph',
  'glusterfs',
  'lustre',
  'gpfs',
  'beegfs',
  'ncpfs',
  'davfs',
  'coda',
  'ocfs2',
  'gfs2',
  'virtiofs',
  'vboxsf',
  'vmhgfs',
]);
const NETWORK_FUSE =
  /^fuse\.(sshfs|s3fs|gcsfuse|rclone|goofys|juicefs|davfs2|glusterfs|cephfs|lustre|gvfsd-fuse|vmhgfs-fuse|blobfuse2?|mountpoint-s3)$/;

export function isNetworkFsType(fsType: string | undefined): boolean {
  if (!fsType) return false;
  return NETWORK_TYPES.has(fsType) || NETWORK_FUSE.test(fsType);
}
