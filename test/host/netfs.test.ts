import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fsTypeOf, isNetworkFsType, parseMounts } from '../../src/host/netfs';

const MOUNTS = `/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export /mnt/data nfs4 rw,vers=4.2 0 0
//nas/share /mnt/nas\\040drive cifs rw 0 0
user@host:/ckpt /home/u/remote fuse.sshfs rw 0 0
tmpfs /mnt/data/local tmpfs rw 0 0
`;

test('the longest mount point holding the path decides the type', () => {
  const m = parseMounts(MOUNTS);
  assert.equal(fsTypeOf('/home/u/run', m), 'ext4');
  assert.equal(fsTypeOf('/mnt/data/run1', m), 'nfs4');
  assert.equal(fsTypeOf('/mnt/data', m), 'nfs4');
  assert.equal(fsTypeOf('/mnt/data/local/x', m), 'tmpfs');
  assert.equal(fsTypeOf('/mnt/database', m), 'ext4'); // a prefix of the name is not the mount
  assert.equal(fsTypeOf('/mnt/nas drive/run', m), 'cifs'); // \040 is a space
  assert.equal(fsTypeOf('/home/u/remote/step-1', m), 'fuse.sshfs');
});

test('network file systems are recognised, local ones are not', () => {
  for (const t of ['nfs', 'nfs4', 'cifs', 'smb3', 'fuse.sshfs', 'lustre', 'fuse.gcsfuse', '9p']) assert.equal(isNetworkFsType(t), true, t);
  for (const t of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'fuse.portal', undefined])
    assert.equal(isNetworkFsType(t), false, String(t));
});
