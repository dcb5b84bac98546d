// The headless CLI: the same numbers as the extension, for terminals and cluster jobs.
const [command] = process.argv.slice(2);
process.stderr.write(`checkpoint-coverage: unknown command '${command ?? ''}'\n`);
process.exitCode = 2;
