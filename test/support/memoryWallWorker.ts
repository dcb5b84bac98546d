// The scoring worker behind a memory wall (memoryWall.ts), for the fault tests. The wall is
// imported first, so its message listener runs before the worker's.
import './memoryWall';
import '../../src/worker/main';
