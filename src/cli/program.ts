// The `compact-relay` command: registers every sub-command and runs the one asked for, printing
// errors as one clear line and exiting non-zero. `serve` is the default when no command is given;
// a word that names no command is an "unknown command" with commander's suggestion.
import { Command, CommanderError } from 'commander';
import { registerServeCommand } from './serve-command.ts';
import { registerCatalogCommands } from './catalog-commands.ts';
import { registerDevUpstreamCommand } from './dev-upstream-command.ts';
import { registerCompactCommand } from './compact-command.ts';
import { registerInitCommand } from './init-command.ts';
import { registerAdminTokenCommand } from './admin-token-command.ts';

/** commander's own unknown-command error (with "Did you mean …?"), not exposed in its typings. */
type WithUnknownCommand = Command & { unknownCommand?: () => never };

export function buildProgram(): Command {
  const program = new Command('compact-relay')
    .description('OpenAI-compatible LLM gateway with context compaction for long agent sessions')
    .version('0.1.0')
    .exitOverride();
  registerServeCommand(program);
  registerCatalogCommands(program);
  registerInitCommand(program);
  registerAdminTokenCommand(program);
  registerCompactCommand(program);
  registerDevUpstreamCommand(program);
  // commander hands any unknown word to the default command (serve); only options belong there.
  program.hook('preSubcommand', (thisCommand, subcommand) => {
    const first = thisCommand.args[0];
    if (subcommand.name() !== 'serve' || first === undefined || first === 'serve' || first.startsWith('-')) return;
    const self = thisCommand as WithUnknownCommand;
    if (typeof self.unknownCommand === 'function') self.unknownCommand();
    thisCommand.error(`error: unknown command '${first}'`, { code: 'commander.unknownCommand' });
  });
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
