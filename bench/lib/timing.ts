// Small helpers shared by the bench files.
export const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1];

export async function time(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

/**
 * Wall seconds and CPU seconds (every thread of this process, user + system) of one call.
 * On a machine shared with other work the wall time swings with the load; the CPU time is
 * what the work itself cost, so ratios of CPU times compare two ways of doing it steadily
 * (onnxruntime's threads do not spin here: allow_spinning is off in the bench).
 */
export async function timeBoth(f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}
