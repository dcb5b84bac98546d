// The memory wall of memoryWallWorker.ts: a job asking for batches of more than
// CC_TEST_MEMORY_WALL tokens dies at once, killed with SIGKILL as the Linux out-of-memory killer
// would kill it. Each job's budget and fate is appended to CC_TEST_MEMORY_LOG
// (`<pid> <budget> died|ran`), so a test sees what every worker was really asked to do.
// CC_TEST_MEMORY_WALL_ONLY, when set, puts the wall before that checkpoint (run-relative path) alone.
import { appendFileSync } from 'node:fs';

const wall = Number(process.env.CC_TEST_MEMORY_WALL);
const logFile = process.env.CC_TEST_MEMORY_LOG!;
const only = process.env.CC_TEST_MEMORY_WALL_ONLY;

// Imported before the worker, so this listener sees each request first.
process.on('message', (m: unknown) => {
  const msg = m as { rpc?: string; method?: string; params?: { checkpointPath?: string; options?: { tokenBudget?: number } } };
  if (msg.rpc !== 'request' || msg.method !== 'scoreCheckpointRequest') return;
  if (only !== undefined && msg.params?.checkpointPath !== only) return;
  const budget = msg.params?.options?.tokenBudget ?? NaN;
  const dies = !(budget <= wall);
  appendFileSync(logFile, `${process.pid} ${budget} ${dies ? 'died' : 'ran'}\n`);
  if (dies) process.kill(process.pid, 'SIGKILL');
});
