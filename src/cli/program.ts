// The `compact-relay` command: registers every sub-command and runs the one asked for, printing
// errors as one clear line and exiting non-zero.
import { Command, CommanderError } from 'commander';
import { registerServeCommand } from './serve-command.ts';
import { registerCatalogCommands } from './catalog-commands.ts';
import { registerDevUpstreamCommand } from './dev-upstream-command.ts';
import { registerCompactCommand } from './compact-command.ts';

export function buildProgram(): Command {
  const program = new Command('compact-relay')
    .description('OpenAI-compatible LLM gateway with context compaction for long agent sessions')
    .version('0.1.0')
    .exitOverride();
  registerServeCommand(program);
  registerCatalogCommands(program);
  registerCompactCommand(program);
  registerDevUpstreamCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

