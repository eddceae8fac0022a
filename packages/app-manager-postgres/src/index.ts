export {
  createPostgresAppManager,
  type PostgresAppManager,
  type PostgresAppManagerOptions,
} from './postgres-app-manager.js';
export { postgresSchema } from './postgres-schema.js';
