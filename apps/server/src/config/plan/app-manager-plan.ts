// The app manager from the configuration: the inline apps in memory, or Rust Sockudo's `database.*`
// connection of the chosen database driver.

import { canonicalDriver, isPackageDriverName } from '../driver-names.js';
import type { ResolvedConfig, SqlConnection } from '../resolved-config.js';
import { planPackageDriver } from './package-driver-plan.js';
import { type AppManagerPlan, secretsOf } from './plans.js';

function sqlOptions(connection: SqlConnection) {
  return {
    host: connection.host,
    port: connection.port,
    user: connection.username,
    password: connection.password,
    database: connection.database,
    table: connection.table_name,
    pool: { min: connection.pool_min ?? 0, max: connection.pool_max ?? connection.connection_pool_size },
  };
}

export function planAppManager(config: ResolvedConfig): AppManagerPlan {
  const driver = canonicalDriver(config.app_manager.driver);
  const { mysql, postgres, dynamodb } = config.database;
  switch (driver) {
    case 'mysql':
      return {
        driver,
        options: sqlOptions(mysql),
        address: `MySQL database "${mysql.database}" at ${mysql.host}:${mysql.port}`,
        secrets: secretsOf(mysql.password),
      };
    case 'postgres':
      return {
        driver,
        options: sqlOptions(postgres),
        address: `PostgreSQL database "${postgres.database}" at ${postgres.host}:${postgres.port}`,
        secrets: secretsOf(postgres.password),
      };
    case 'dynamodb': {
      const keyId = dynamodb.aws_access_key_id;
      const secret = dynamodb.aws_secret_access_key;
      return {
        driver,
        options: {
          region: dynamodb.region,
          tableName: dynamodb.table_name,
          ...(dynamodb.endpoint_url !== undefined && { endpoint: dynamodb.endpoint_url }),
          ...(keyId !== undefined &&
            keyId !== '' &&
            secret !== undefined && { credentials: { accessKeyId: keyId, secretAccessKey: secret } }),
        },
        address: `DynamoDB table "${dynamodb.table_name}" in ${dynamodb.region}${
          dynamodb.endpoint_url !== undefined ? ` at ${dynamodb.endpoint_url}` : ''
        }`,
        secrets: secretsOf(secret),
      };
    }
    default:
      return isPackageDriverName(driver) ? planPackageDriver(config, 'app_manager') : { driver: 'memory' };
  }
}
