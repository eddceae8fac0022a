// The connections of the database drivers: MySQL and PostgreSQL for the app managers, the shared Redis
// (and Redis Cluster) of the cache, queue, rate limiter and adapter, and DynamoDB.

import { type EnvExtraSpec, openSection } from './key-spec.js';
import {
  COUNT,
  credentialKeys,
  HTTP_URL,
  NODES,
  NON_EMPTY,
  PORT,
  REDIS_URL,
  STRING,
  sqlConnectionKeys,
} from './shapes.js';

export const DATABASE = openSection(
  'database',
  'Connections of the database drivers (app managers, and Redis for the other drivers).',
  [
    openSection(
      'mysql',
      'MySQL/MariaDB of app_manager.driver mysql.',
      sqlConnectionKeys('MySQL', 'DATABASE_MYSQL', { port: 3306, username: 'root' }),
    ),
    openSection(
      'postgres',
      'PostgreSQL of app_manager.driver pgsql.',
      // Rust Sockudo's struct defaults (port 3306, user root) are MySQL's for both; PostgreSQL gets its own.
      sqlConnectionKeys('PostgreSQL', 'DATABASE_POSTGRES', {
        port: 5432,
        username: 'postgres',
        portNote: ' (Rust Sockudo defaults to 3306/root here)',
        tableNote: '; the variable is not in Rust Sockudo',
      }),
    ),
    openSection(
      'redis',
      'The Redis of the cache, queue and rate limiter drivers, and of the adapter when it has no URL of its own.',
      [
        {
          key: 'url',
          type: REDIS_URL,
          description:
            'A Redis URL used instead of host, port, db, username and password (REDIS_URL sets it; not a Rust Sockudo key).',
        },
        {
          key: 'host',
          type: NON_EMPTY,
          default: '127.0.0.1',
          env: ['DATABASE_REDIS_HOST'],
          description: 'Redis host.',
        },
        {
          key: 'port',
          type: PORT,
          default: 6379,
          env: ['DATABASE_REDIS_PORT'],
          description: 'Redis port.',
        },
        {
          key: 'db',
          type: COUNT,
          default: 0,
          env: ['DATABASE_REDIS_DB'],
          description: 'Redis database number.',
        },
        ...credentialKeys('DATABASE_REDIS', { username: 'Redis ACL user.', password: 'Redis password.' }),
        {
          key: 'key_prefix',
          type: STRING,
          default: 'sockudo:',
          env: ['DATABASE_REDIS_KEY_PREFIX'],
          description:
            'Accepted for compatibility: each driver has its own prefix (cache.redis.prefix, ...).',
          applied: false,
        },
        openSection('cluster', 'The Redis Cluster of the redis-cluster drivers.', [
          {
            key: 'nodes',
            type: NODES,
            default: [],
            env: ['DATABASE_REDIS_CLUSTER_NODES'],
            description: 'Seed nodes: "host:port", "redis://host:port" or {"host","port"}.',
          },
          ...credentialKeys('DATABASE_REDIS_CLUSTER', {
            username: 'Redis Cluster ACL user (default database.redis.username).',
            password: 'Redis Cluster password (default database.redis.password).',
          }),
        ]),
        {
          key: 'cluster_nodes',
          type: NODES,
          default: [],
          description: 'Older form of database.redis.cluster.nodes, read when that is empty.',
        },
      ],
    ),
    openSection('dynamodb', 'DynamoDB of app_manager.driver dynamodb.', [
      {
        key: 'region',
        type: NON_EMPTY,
        default: 'us-east-1',
        env: ['DATABASE_DYNAMODB_REGION'],
        description: 'AWS region.',
      },
      {
        key: 'table_name',
        type: NON_EMPTY,
        default: 'sockudo-applications',
        env: ['DATABASE_DYNAMODB_TABLE_NAME'],
        description: 'The apps table (hash key id, global secondary index KeyIndex on key).',
      },
      {
        key: 'endpoint_url',
        type: HTTP_URL,
        env: ['DATABASE_DYNAMODB_ENDPOINT_URL'],
        description: 'Another endpoint than AWS, e.g. DynamoDB Local at "http://127.0.0.1:8000".',
      },
      {
        key: 'aws_access_key_id',
        type: STRING,
        env: ['AWS_ACCESS_KEY_ID'],
        description: 'AWS access key id (default: the AWS SDK credential chain).',
        secret: true,
      },
      {
        key: 'aws_secret_access_key',
        type: STRING,
        env: ['AWS_SECRET_ACCESS_KEY'],
        description: 'AWS secret access key.',
        secret: true,
      },
      {
        key: 'aws_profile_name',
        type: STRING,
        description:
          'Accepted for compatibility: set AWS_PROFILE to choose a profile of the shared AWS config.',
        applied: false,
      },
    ]),
  ],
);

/** `REDIS_URL`: one variable for every Redis URL, as in Rust Sockudo. */
export const REDIS_URL_ENV: EnvExtraSpec = {
  env: 'REDIS_URL',
  type: { kind: 'string' },
  sets: ['adapter.redis.redis_pub_options.url', 'adapter.redis.redis_sub_options.url', 'database.redis.url'],
  description:
    'Redis URL of the adapter, and of the cache, queue and rate limiter drivers (instead of database.redis host and port).',
};
