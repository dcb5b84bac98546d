// The headless CLI: the same numbers as the extension, for terminals and cluster jobs.
// Commands live in their own files and load only when called (so `runs` never loads
// onnxruntime). Adding one is one line in the table below.
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, processIO, type CliIO, type Command } from './args';

const commands: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  runs: { summary: 'list a run folder: checkpoints, pending files, eval set, settings', load: () => import('./runs.js') },
  demo: { summary: 'write a synthetic demo run (known generator, 13 ONNX checkpoints) and show it', load: () => import('./demo.js') },
  score: { summary: 'score every checkpoint that has no valid stored result', load: () => import('./score.js') },
  report: {
    summary: 'score what is missing, then print the coverage report and the suggested checkpoint',
    load: () => import('./report.js'),
  },
  slurm: { summary: 'score the run as a Slurm job array, then write its report into the store', load: () => import('./slurm.js') },
};

const NAME = 'checkpoint-coverage';

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n');
  return (
    `Usage: ${NAME} <command> [options]\n\nCommands:\n${list}\n\n` +
    `Run '${NAME} help <command>' for a command's options.\nExit codes: 0 ok, 1 failure, 2 usage error.\n`
  );
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    io.out(usage());
    return EXIT_OK;
  }
  const target = name === 'help' ? rest[0] : name;
  const entry = Object.hasOwn(commands, target) ? commands[target] : undefined;
  if (!entry) {
    io.err(`${NAME}: unknown command '${target}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const { command } = await entry.load();
  if (name === 'help' || rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${NAME} ${target}: ${e.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    io.err(`${NAME} ${target}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILURE;
  }
}

main(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${NAME}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
