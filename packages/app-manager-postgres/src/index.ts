export {
  createPostgresAppManager,
  type PostgresAppManager,
  type PostgresAppManagerOptions,
} from './postgres-app-manager.js';
export { openPostgresPool, type PostgresPool, type PostgresPoolOptions } from './postgres-pool.js';
export { postgresSchema } from './postgres-schema.js';
