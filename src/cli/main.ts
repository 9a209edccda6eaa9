// Entry point of the `compact-relay` command. Turns on Node's compile cache before anything else
// loads (type stripping of every module is most of a cold start), then runs the program.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const { runCli } = await import('./program.ts');
await runCli(process.argv.slice(2));
