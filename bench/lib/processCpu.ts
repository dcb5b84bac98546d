// CPU seconds spent by the machine's processes over a stretch of a bench, grouped by role (the
// browser's renderer, the extension host, the scoring worker…), read from /proc (Linux only). It
// says where the time went when a wall-clock ratio moves: on a 2-core machine the panel's renderer
// and the extension host compete with the worker for the same cores.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

const ROLES: [RegExp, string][] = [
  [/--type=renderer/, 'browser renderer'],
  [/chromium/, 'browser (other processes)'],
  [/extensionHost/, 'extension host'],
  [/dist\/worker\.js/, 'scoring worker'],
  [/code-server/, 'code-server'],
  [/bench\//, 'bench harness'],
];

/** Ticks (user + system) by pid, with each process's role. */
export type CpuReading = Map<number, { ticks: number; role: string }>;

export function readCpu(): CpuReading {
  const out: CpuReading = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state is 3rd, utime the 14th, stime the 15th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.set(Number(name), { ticks: Number(f[11]) + Number(f[12]), role: ROLES.find(([re]) => re.test(cmd))?.[1] ?? 'other' });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return out;
}

/** CPU seconds by role between two readings (processes that ended in between are not counted). */
export function cpuByRole(before: CpuReading, after: CpuReading): [string, number][] {
  const byRole = new Map<string, number>();
  for (const [pid, { ticks, role }] of after) {
    const d = (ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_S;
    byRole.set(role, (byRole.get(role) ?? 0) + d);
  }
  return [...byRole].filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]);
}

/** CPU seconds of this process's children that have ended and been waited for (a CLI run, its worker). */
export function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICKS_PER_S;
}

/**
 * Waits until the machine's processes together use less than `share` of one core over a second (a
 * workbench just opened keeps starting things for a while), or `maxMs` passes. Returns the ms waited.
 */
export async function waitForQuiet(share = 0.15, maxMs = 60_000): Promise<number> {
  const start = performance.now();
  let last = readCpu();
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = readCpu();
    const used = cpuByRole(last, now).reduce((a, [, s]) => a + s, 0);
    last = now;
    if (used < share || performance.now() - start > maxMs) return performance.now() - start;
  }
}
