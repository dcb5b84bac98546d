// The memory wall of memoryWallWorker.ts: a job asking for batches of more than
// CC_TEST_MEMORY_WALL tokens dies at once, killed with SIGKILL as the Linux out-of-memory killer
// would kill it. Each job's budget and fate is appended to CC_TEST_MEMORY_LOG
// (`<pid> <budget> died|ran`), so a test sees what every worker was really asked to do.
import { appendFileSync } from 'node:fs';

const wall = Number(process.env.CC_TEST_MEMORY_WALL);
const logFile = process.env.CC_TEST_MEMORY_LOG!;

// Imported before the worker, so this listener sees each request first.
process.on('message', (m: unknown) => {
  const msg = m as { rpc?: string; method?: string; params?: { options?: { tokenBudget?: number } } };
  if (msg.rpc !== 'request' || msg.method !== 'scoreCheckpointRequest') return;
  const budget = msg.params?.options?.tokenBudget ?? NaN;
  const dies = !(budget <= wall);
  appendFileSync(logFile, `${process.pid} ${budget} ${dies ? 'died' : 'ran'}\n`);
  if (dies) process.kill(process.pid, 'SIGKILL');
});
