// Watches one open run: its folder (new, changed and removed checkpoints; coverage.json and the
// eval set) and its store (what other processes claim and store). By native events, or by polling
// where the folder is on a network file system that sends none for other machines' writes.
import type { PollingMode } from '../core/settings';
import { errorText } from '../shared/rpc';
import { DisposableStore, type DisposableLike } from './disposable';
import type { RunSession } from './runSession';
import type { SessionLog } from './sessionLog';
import { StoreWatcher } from './storeWatcher';
import { RunWatcher, decidePolling } from './watcher';

export async function watchRun(session: RunSession, polling: PollingMode, log: SessionLog): Promise<DisposableLike | undefined> {
  const opened = session.openedRun;
  if (!opened) return undefined;
  const root = session.root;
  const decision = await decidePolling(root, polling);
  log.info('watch', `${root}: ${decision.poll ? 'polling' : 'native events'}: ${decision.why}`);
  const scope = new DisposableStore();
  scope.add(
    new RunWatcher(
      root,
      { poll: decision.poll, storeDir: opened.storeDir, evalPaths: opened.evalPaths, onError: (m) => log.warn('watch', m) },
      (batch) => void session.handleBatch(batch),
    ),
  );
  // Other processes (the CLI, cluster tasks, other windows) claim and store into the same store.
  try {
    scope.add(
      await StoreWatcher.start(
        opened.storePath,
        { poll: decision.poll, onError: (m) => log.warn('watch', m) },
        (scores) => void session.handleStoreChange(scores),
      ),
    );
    // Whatever was stored while the watcher started.
    void session.handleStoreChange();
  } catch (err) {
    log.warn(
      'watch',
      `cannot watch the store ${opened.storePath}: ${errorText(err)}; results other processes store are read when the run is reopened`,
    );
  }
  return scope;
}
