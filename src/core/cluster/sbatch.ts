// The two batch scripts of `checkpoint-coverage slurm`: a job array whose K tasks each run
// `score` on the run (the store's claims split the checkpoints between them), and a report job
// that starts once every task has ended, however it ended, scores whatever they left and writes
// report.json and report.txt into the store. Pure text: the CLI writes and submits them.
import { shellQuote, splitShellWords } from './shell';

export const DEFAULT_TASKS = 4;
/** Far above any array a cluster allows (Slurm's MaxArraySize defaults to 1001); catches typos. */
const MAX_TASKS = 100_000;

/** What the user asked of Slurm, checked. */
export interface SlurmRequest {
  tasks: number;
  partition?: string;
  account?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  /** `N` or `type:N`, as Slurm's --gpus-per-task takes it. */
  gpusPerTask?: string;
  /** More sbatch arguments (from --extra), as words, given to both submissions. */
  extra: string[];
}

/** The options as typed, before checking. */
export interface SlurmRequestInput {
  tasks?: string;
  partition?: string;
  account?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string;
  gpusPerTask?: string;
  extra?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

// Values land on `#SBATCH` lines, so each must be one plain token: no blanks, quotes or newlines.
const PATTERNS: { key: keyof SlurmRequestInput; flag: string; re: RegExp; expected: string }[] = [
  {
    key: 'partition',
    flag: '--partition',
    re: /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/,
    expected: 'a partition name, or several separated by commas',
  },
  { key: 'account', flag: '--account', re: /^[A-Za-z0-9_.-]+$/, expected: 'an account name' },
  {
    key: 'time',
    flag: '--time',
    re: /^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|unlimited|infinite)$/i,
    expected: 'minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS',
  },
  { key: 'mem', flag: '--mem', re: /^[1-9]\d*[KMGT]?$/i, expected: 'a size such as 16G, 4000M or 4000 (megabytes)' },
  {
    key: 'gpusPerTask',
    flag: '--gpus-per-task',
    re: /^([A-Za-z0-9_.-]+:)?[1-9]\d*$/,
    expected: 'a count such as 1, or type:count such as a100:1',
  },
];

// The scripts set these themselves; taking them from --extra would break the array or its report.
const OWN_FLAGS = /^(--array|--dependency|--wrap|--parsable)(=|$)|^-[ad]/;

export function parseSlurmRequest(input: SlurmRequestInput): Checked<SlurmRequest> {
  const tasks = input.tasks === undefined ? DEFAULT_TASKS : Number(input.tasks);
  if (!/^\d+$/.test(input.tasks ?? '1') || !Number.isSafeInteger(tasks) || tasks < 1 || tasks > MAX_TASKS) {
    return fail(`--tasks ${input.tasks}: expected a whole number of array tasks from 1 to ${MAX_TASKS}`);
  }
  const request: SlurmRequest = { tasks, extra: [] };
  for (const p of PATTERNS) {
    const v = input[p.key];
    if (v === undefined) continue;
    if (!p.re.test(v)) return fail(`${p.flag} ${JSON.stringify(v)}: expected ${p.expected}`);
    (request as unknown as Record<string, string>)[p.key] = v;
  }
  if (input.cpusPerTask !== undefined) {
    const c = Number(input.cpusPerTask);
    if (!/^\d+$/.test(input.cpusPerTask) || c < 1 || c > 1024)
      return fail(`--cpus-per-task ${input.cpusPerTask}: expected a whole number from 1 to 1024`);
    request.cpusPerTask = c;
  }
  if (input.extra !== undefined) {
    const split = splitShellWords(input.extra);
    if (!split.ok) return fail(`--extra: ${split.reason}`);
    const own = split.words.find((w) => OWN_FLAGS.test(w));
    if (own !== undefined)
      return fail(`--extra: ${own} is set by checkpoint-coverage itself (the array of --tasks, and the report job's dependency on it)`);
    request.extra = split.words;
  }
  return { ok: true, value: request };
}

/** Absolute paths the scripts name. */
export interface SlurmJobPlaces {
  /** The node binary and the CLI bundle (dist/cli.js) of the installation that submits. */
  node: string;
  cli: string;
  run: string;
  /** The run's store folder (`<run>/.coverage` unless coverage.json moves it). */
  store: string;
}

export interface BatchScript {
  path: string;
  text: string;
}

export interface SlurmJob {
  /** `<store>/slurm`, holding the scripts, and its `logs` folder (sbatch does not create it). */
  dir: string;
  logs: string;
  score: BatchScript;
  report: BatchScript;
  /** sbatch's arguments for the array, then for the report job once the array's id is known. */
  scoreArgs: string[];
  reportArgs(arrayJobId: string): string[];
  /** Where a task's and the report job's logs end up, once the job ids are known. */
  scoreLog(arrayJobId: string, task: number | '*'): string;
  reportLog(reportJobId: string): string;
  /** What the report job writes. */
  outputs: { json: string; text: string };
}

/** `#SBATCH` lines take a double-quoted path, which cannot itself hold ", \ or a newline. */
const SBATCH_UNSAFE = /["\\\n\r]/;

/**
 * Submitted from VS Code on a desktop, the node binary is VS Code's own (Electron), which runs as
 * plain Node only when told so; a real node ignores the variable.
 */
const ELECTRON_AS_NODE = 'export ELECTRON_RUN_AS_NODE=1';

export function slurmJob(places: SlurmJobPlaces, r: SlurmRequest): Checked<SlurmJob> {
  for (const [what, p] of [
    ['run folder', places.run],
    ['store folder', places.store],
  ] as const) {
    if (SBATCH_UNSAFE.test(p))
      return fail(`the ${what} ${JSON.stringify(p)} has a ", \\ or line break, which an #SBATCH line cannot hold; move or rename it`);
  }
  const store = places.store.replace(/\/+$/, '');
  const dir = `${store}/slurm`;
  const logs = `${dir}/logs`;
  // Slurm expands %A, %a and %j in --output; a % of the path itself is written %%.
  const logPattern = (name: string) => `${logs.replace(/%/g, '%%')}/${name}`;
  const name = (places.run.replace(/\/+$/, '').split('/').pop() || 'run').replace(/[^A-Za-z0-9_.-]/g, '_');
  const resources = [
    `#SBATCH --chdir="${places.run}"`,
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    ...(r.account ? [`#SBATCH --account=${r.account}`] : []),
    ...(r.time ? [`#SBATCH --time=${r.time}`] : []),
    ...(r.cpusPerTask ? [`#SBATCH --cpus-per-task=${r.cpusPerTask}`] : []),
    ...(r.mem ? [`#SBATCH --mem=${r.mem}`] : []),
    ...(r.gpusPerTask ? [`#SBATCH --gpus-per-task=${r.gpusPerTask}`] : []),
  ];
  const cmd = (...words: string[]) => [shellQuote(places.node), shellQuote(places.cli), ...words].join(' ');
  // onnxruntime would otherwise start a thread per core of the node, however many the task was given.
  const threads = r.cpusPerTask ? ['--threads', String(r.cpusPerTask)] : [];

  const scoreText = [
    '#!/bin/bash',
    `#SBATCH --job-name=coverage-score-${name}`,
    `#SBATCH --array=0-${r.tasks - 1}`,
    `#SBATCH --output="${logPattern('score-%A_%a.log')}"`,
    ...resources,
    '#',
    `# Written by \`checkpoint-coverage slurm\`: each of the ${r.tasks} array tasks scores the checkpoints`,
    '# of the run that no other scorer holds (claims in the store), starting at its own share,',
    '# with the node and the CLI of the installation that submitted it. Its log names its index',
    '# and each checkpoint it scored.',
    ELECTRON_AS_NODE,
    `exec ${cmd('score', shellQuote(places.run), '--tasks', String(r.tasks), ...threads)}`,
    '',
  ].join('\n');

  const reportText = [
    '#!/bin/bash',
    `#SBATCH --job-name=coverage-report-${name}`,
    `#SBATCH --output="${logPattern('report-%j.log')}"`,
    ...resources,
    '#',
    '# Written by `checkpoint-coverage slurm`: runs once every scoring task has ended, however it',
    '# ended; scores what they left (a cancelled task, say), then writes report.json and report.txt',
    '# into the store, each through a temp file and a rename, so no reader sees half a report.',
    'set -u',
    ELECTRON_AS_NODE,
    `store=${shellQuote(store)}`,
    'publish() { # publish <file> <report options>…',
    '  local file="$1" tmp="$store/.$1.tmp-$$"',
    '  shift',
    `  if ${cmd('report', shellQuote(places.run), '"$@"')} >"$tmp"; then`,
    '    mv -f "$tmp" "$store/$file"',
    '  else',
    '    local rc=$?',
    '    rm -f "$tmp"',
    '    return "$rc"',
    '  fi',
    '}',
    'publish report.json --json || exit',
    'publish report.txt',
    '',
  ].join('\n');

  const score = { path: `${dir}/score.sbatch`, text: scoreText };
  const report = { path: `${dir}/report.sbatch`, text: reportText };
  return {
    ok: true,
    value: {
      dir,
      logs,
      score,
      report,
      scoreArgs: ['--parsable', ...r.extra, score.path],
      reportArgs: (id) => ['--parsable', `--dependency=afterany:${id}`, ...r.extra, report.path],
      scoreLog: (id, task) => `${logs}/score-${id}_${task}.log`,
      reportLog: (id) => `${logs}/report-${id}.log`,
      outputs: { json: `${store}/report.json`, text: `${store}/report.txt` },
    },
  };
}
