export {
  createMysqlAppManager,
  type MysqlAppManager,
  type MysqlAppManagerOptions,
} from './mysql-app-manager.js';
export { mysqlSchema } from './mysql-schema.js';
