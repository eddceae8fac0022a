// A custom Sockudo server composed in code: apps from a MySQL/MariaDB table, nodes joined through Redis.
// Start as many as you like on different ports; a trigger on any of them reaches clients on all of them.

import { createRedisTransport } from '@sockudo/adapter-redis';
import { createMysqlAppManager } from '@sockudo/app-manager-mysql';
import { createServer } from '@sockudo/core';

const env = process.env;

/** A TCP port from the environment, or a clear error naming the variable before anything starts. */
function tcpPort(name, fallback) {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name}: expected a TCP port (0-65535), got ${JSON.stringify(env[name])}`);
  }
  return value;
}

const appManager = createMysqlAppManager({
  host: env.DATABASE_MYSQL_HOST ?? '127.0.0.1',
  port: tcpPort('DATABASE_MYSQL_PORT', 3306),
  user: env.DATABASE_MYSQL_USERNAME ?? 'root',
  password: env.DATABASE_MYSQL_PASSWORD ?? '',
  database: env.DATABASE_MYSQL_DATABASE ?? 'sockudo',
  table: env.DATABASE_MYSQL_TABLE_NAME ?? 'applications',
});
if (env.MIGRATE === 'true') await appManager.migrate(); // creates the table if it is missing

const server = createServer({
  host: env.HOST ?? '127.0.0.1',
  port: tcpPort('PORT', 6001),
  appManager,
  transport: createRedisTransport({
    url: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: env.REDIS_PREFIX, // nodes with the same prefix form one cluster
  }),
  logger: console,
});

const { host, port } = await server.listen();
console.log(`custom server listening on http://${host}:${port}`);

// Closing tells clients to reconnect elsewhere (4200), leaves the cluster and ends the MySQL pool.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    console.log(`${signal}: shutting down`);
    await server.close();
    process.exit(0);
  });
}
