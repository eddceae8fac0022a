// `sockudo migrate`: creates the apps table of the configured database app manager (the SQL
// `applications` table, or the DynamoDB table with its KeyIndex), the one-time step before
// `sockudo start` with that driver. Safe to run again: it only adds what is missing.

import { checkConfig } from '../config/config-loader.js';
import { planDrivers } from '../config/plan/driver-plan.js';
import type { AppManagerPlan } from '../config/plan/plans.js';
import { type DriverRegistryOptions, openAppManager } from '../drivers/driver-registry.js';
import { DriverStartupError } from '../drivers/driver-startup-error.js';
import { type CliIo, EXIT_CODES, formatIssues, packageSearch, printWarnings } from './command-io.js';

/** Where `migrate` writes. */
export interface MigrateIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

function tableDescription(plan: Exclude<AppManagerPlan, { driver: 'memory' }>): string {
  switch (plan.driver) {
    case 'package':
      return `migrate() of ${plan.package} finished (a package without migrate() has nothing to create)`;
    case 'dynamodb':
      return `table "${plan.options.tableName}" and its KeyIndex are ready (created if they were missing)`;
    case 'mysql':
    case 'postgres':
      return `table "${plan.options.table ?? 'applications'}" is ready (created if it was missing; missing columns and indexes added)`;
  }
}

/**
 * Runs `migrate()` of the configured database app manager and reports what it did. Resolves with the
 * exit code: 0 when the table is ready or there is nothing to migrate, 1 on failure.
 */
export async function runMigrate(
  plan: AppManagerPlan,
  io: MigrateIo,
  options: DriverRegistryOptions = {},
): Promise<number> {
  if (plan.driver === 'memory') {
    io.stdout.write(
      'app_manager.driver is memory: apps come from the configuration (app_manager.array.apps); nothing to migrate\n',
    );
    return 0;
  }
  const driver = plan.driver === 'package' ? plan.package : plan.driver;
  io.stdout.write(`Migrating ${plan.address} (app_manager.driver ${driver})\n`);
  let manager: Awaited<ReturnType<typeof openAppManager>> | undefined;
  try {
    manager = await openAppManager(plan, options);
    await manager.migrate();
    io.stdout.write(`Done: ${tableDescription(plan)}\n`);
    return 0;
  } catch (error) {
    const failure =
      error instanceof DriverStartupError
        ? error
        : new DriverStartupError(
            'app_manager.driver',
            driver,
            `migrate failed on ${plan.address}`,
            error,
            plan.secrets,
          );
    io.stderr.write(`${failure.message}\n`);
    return 1;
  } finally {
    await manager?.close().catch(() => {});
  }
}

/** Runs `sockudo migrate`: loads the configuration, then {@link runMigrate}. */
export async function migrateCommand(options: { config?: string }, io: CliIo): Promise<number> {
  const result = checkConfig({ file: options.config, env: io.env, cwd: io.cwd });
  printWarnings(result, io);
  if (!result.config) {
    io.stderr.write(formatIssues(result.errors));
    return EXIT_CODES.failure;
  }
  return runMigrate(planDrivers(result.config).plan.appManager, io, {
    packageSearch: packageSearch(result, io),
  });
}
