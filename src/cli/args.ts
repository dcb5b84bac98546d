// What every CLI command shares: its shape, its exit codes and argument parsing that turns
// mistakes into usage errors (exit 2) instead of stack traces.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Where a command writes; tests pass collectors instead of the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
}

export interface Command {
  /** Synopsis and options, shown by `checkpoint-coverage help <name>` and on usage errors. */
  usage: string;
  /** Resolves to the exit code; throwing UsageError means exit 2, any other error exit 1. */
  run(argv: string[], io: CliIO): Promise<number>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict parsing: unknown options and a wrong number of positionals are usage errors. */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  positionals: { min: number; max: number; names: string },
): { values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing ${positionals.names}`);
  if (n > positionals.max) throw new UsageError(`unexpected argument '${parsed.positionals[positionals.max]}'`);
  return { values: parsed.values, positionals: parsed.positionals };
}

export function processIO(): CliIO {
  return {
    out: (t) => {
      process.stdout.write(t);
    },
    err: (t) => {
      process.stderr.write(t);
    },
    cwd: process.cwd(),
  };
}
