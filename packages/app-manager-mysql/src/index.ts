export {
  createMysqlAppManager,
  type MysqlAppManager,
  type MysqlAppManagerOptions,
} from './mysql-app-manager.js';
export { type MysqlPool, type MysqlPoolOptions, openMysqlPool } from './mysql-pool.js';
export { mysqlSchema } from './mysql-schema.js';
