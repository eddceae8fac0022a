// The `sockudo` command line: `start` (the default command, as Rust Sockudo starts without one),
// `migrate`, `config check`, `--version`, `--help`. Each command is in its own file.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type CliIo, EXIT_CODES } from './command-io.js';
import { configCheckCommand } from './config-check-command.js';
import { migrateCommand } from './migrate-command.js';
import { type StartOptions, startCommand } from './start-command.js';

/** The version in apps/server/package.json (the same relative path from src/cli/ and dist/cli/). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

const HELP_AFTER = `
Configuration (later wins): defaults < config file (-c, else ./config/config.json) < environment
variables (Rust Sockudo's names: HOST, PORT, ADAPTER_DRIVER, SOCKUDO_DEFAULT_APP_ID/KEY/SECRET, ...)
< --host/--port/--debug/--workers. \${VAR} and \${VAR:-default} are substituted in the config file.

Drivers (adapter, app manager, cache, queue, rate limiter) are loaded only when configured. With a
database app manager, run \`sockudo migrate\` once to create its apps table.

Exit codes: 0 ok, 1 invalid configuration or failed to start, 2 bad command line.
`;

const COMMANDS = ['start', 'migrate', 'config', 'help'];
const OPTIONS_WITH_VALUE = ['-c', '--config', '--host', '--port', '--workers'];

/**
 * The first word that is not an option, when it is not a command. `start` is the default command, so
 * without this check commander would report a typo such as `sockudo strat` as "too many arguments".
 */
function unknownCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.includes(arg)) i += 1;
      continue;
    }
    return COMMANDS.includes(arg) ? undefined : arg;
  }
  return undefined;
}

/**
 * Runs the CLI. Resolves with the exit code, or `undefined` once `start` is listening (the process then
 * lives until a signal). Never calls `process.exit` itself except through the shutdown handlers.
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number | undefined> {
  const streams: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  let code: number | undefined = EXIT_CODES.ok;
  const program = new Command()
    .name('sockudo')
    .description('A self-hosted, Pusher-protocol-compatible realtime server, configured like Rust Sockudo.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .addHelpText('after', HELP_AFTER);

  program
    .command('start', { isDefault: true })
    .description('start the server (the default command)')
    .option('-c, --config <file>', 'config file (default: config/config.json when it exists)')
    .option('--host <host>', 'address to listen on (overrides HOST and the config file)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (overrides PORT and the config file)')
    .option('--debug', 'log at debug level')
    .option(
      '--workers <n>',
      'worker processes sharing the port; 0 or auto = one per CPU (overrides SOCKUDO_WORKERS and the config file)',
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (options: StartOptions) => {
      code = await startCommand(options, streams);
    });

  program
    .command('migrate')
    .description(
      'create the apps table of the configured database app manager (mysql, pgsql, dynamodb); safe to run again',
    )
    .option('-c, --config <file>', 'config file (default: config/config.json when it exists)')
    .action(async (options: { config?: string }) => {
      code = await migrateCommand(options, streams);
    });

  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the configuration; print it as JSON with secrets masked, or print every error')
    .option('-c, --config <file>', 'config file (default: config/config.json when it exists)')
    .action((options: { config?: string }) => {
      code = configCheckCommand(options, streams);
    });

  const typo = unknownCommand(argv.slice(2));
  if (typo !== undefined) {
    streams.stderr.write(
      `error: unknown command '${typo}' (commands: start, migrate, config check; see sockudo --help)\n`,
    );
    return EXIT_CODES.usage;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_CODES.ok;
    return EXIT_CODES.usage;
  }
  return code;
}
