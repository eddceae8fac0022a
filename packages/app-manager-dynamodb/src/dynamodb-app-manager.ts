// Apps from the DynamoDB table Rust Sockudo uses: GetItem by `id`, Query on the `KeyIndex` GSI by `key`.
// Items are written the way Rust Sockudo writes them (`id, key, secret, enabled, policy` as a JSON
// string); legacy items with flat attributes are still read. The server caches in front of this.

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  APP_RECORD_KEYS,
  type App,
  type AppManagerV1,
  appFromRecord,
  ConfigError,
  errorText,
  policyRecord,
  SockudoError,
  storedPolicy,
} from '@sockudo/core';
import { type DynamoDbBilling, dynamoDbTableDefinition, KEY_INDEX } from './dynamodb-table.js';

/** Options of {@link createDynamoDbAppManager}. */
export interface DynamoDbAppManagerOptions {
  /** @default 'sockudo-applications' */
  tableName?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** A DynamoDB-compatible endpoint (DynamoDB Local, LocalStack, dynalite), e.g. `http://127.0.0.1:8000`. */
  endpoint?: string;
  /**
   * Static credentials or a provider. Without them the AWS SDK's default chain applies (environment,
   * shared config, instance/task role). A local endpoint takes any values.
   */
  credentials?: DynamoDBClientConfig['credentials'];
  /** A ready DynamoDB client to use instead of building one; `close()` leaves it open (it is yours). */
  client?: DynamoDBClient;
  /** Billing of the table `migrate()` creates. @default { mode: 'PAY_PER_REQUEST' } */
  billing?: DynamoDbBilling;
  /** Milliseconds one request (retries included) may take. @default 5000 */
  requestTimeoutMs?: number;
  /** Milliseconds `checkHealth()` waits for DescribeTable. @default 2000 */
  healthCheckTimeoutMs?: number;
  /** Attempts per request, the first included (the SDK retries throttling and network errors). @default 3 */
  maxAttempts?: number;
  /** Milliseconds `migrate()` waits for a new table and its index to become ACTIVE. @default 300000 */
  migrateTimeoutMs?: number;
}

/** An {@link AppManagerV1} over a DynamoDB table, with every optional method. */
export interface DynamoDbAppManager extends AppManagerV1 {
  /** The DynamoDB client, to send your own commands. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  getApps(): Promise<App[]>;
  /** Writes `app`; rejects when its id exists or another app has its key. */
  createApp(app: App): Promise<void>;
  /** Rewrites the item with `app.id`, keeping policy settings this port does not model; rejects when there is none. */
  updateApp(app: App): Promise<void>;
  /** Deletes the item with this id; resolves when there is none. */
  deleteApp(id: string): Promise<void>;
  /** DescribeTable: rejects when the table is missing or DynamoDB does not answer. */
  checkHealth(): Promise<void>;
  /** Creates the table with its `KeyIndex` when missing, and waits until both are ACTIVE. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

type Item = Record<string, unknown>;

/** DynamoDB's limit for a partition key value: longer ids and keys cannot be stored, so are unknown. */
const MAX_KEY_BYTES = 2048;

function lookupable(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && Buffer.byteLength(value) <= MAX_KEY_BYTES;
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Attributes a legacy item keeps next to (or instead of) a policy. Rewritten items carry a policy built
 * from them, so they are dropped then; anything else on an item is kept as it is.
 */
const LEGACY_ATTRIBUTES = new Set(
  [
    ...APP_RECORD_KEYS,
    'channel_delta_compression',
    'channel_namespaces',
    'idempotency',
    'connection_recovery',
    'annotations_enabled',
  ]
    .filter((name) => !['id', 'key', 'secret', 'enabled', 'policy'].includes(name))
    .flatMap((name) => [name, camel(name)]),
);

/** DynamoDB string/number sets arrive as `Set`s; appFromRecord expects arrays. */
function plain(item: Item): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) out[name] = value instanceof Set ? [...value] : value;
  return out;
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Creates an app manager over Rust Sockudo's DynamoDB applications table. Nothing is sent until the
 * first call; an unreachable endpoint, missing table or missing credentials make that call (and
 * `checkHealth()`) reject with an error naming the table, region and endpoint.
 *
 * @example
 * ```ts
 * import { createServer } from '@sockudo/core';
 * import { createDynamoDbAppManager } from '@sockudo/app-manager-dynamodb';
 *
 * const appManager = createDynamoDbAppManager({ region: 'eu-west-1' });
 * await appManager.migrate();
 * const server = createServer({ port: 6001, appManager });
 * await server.listen();
 * ```
 *
 * @throws ConfigError for a table name DynamoDB does not accept
 */
export function createDynamoDbAppManager(options: DynamoDbAppManagerOptions = {}): DynamoDbAppManager {
  const tableName = options.tableName ?? 'sockudo-applications';
  if (typeof tableName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new ConfigError(
      `database.dynamodb.table_name: ${JSON.stringify(tableName)} is not a valid DynamoDB table name (3-255 of letters, digits, _ . -)`,
      { key: 'database.dynamodb.table_name' },
    );
  }
  const region = options.region ?? 'us-east-1';
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2000;
  const owned = options.client === undefined;
  const client =
    options.client ??
    new DynamoDBClient({
      region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: Math.min(requestTimeoutMs, 3000),
        requestTimeout: requestTimeoutMs,
      },
    });
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const where = owned
    ? `DynamoDB table "${tableName}" (region ${region}${options.endpoint ? `, endpoint ${options.endpoint}` : ''})`
    : `DynamoDB table "${tableName}"`;
  let closed = false;

  const failure = (what: string, error: unknown): SockudoError => {
    let reason = errorText(error);
    const name = errorName(error);
    if (name && !reason.startsWith(name) && name !== 'Error') reason = `${name}: ${reason}`;
    if (name === 'ResourceNotFoundException' || /specified index/.test(reason)) {
      reason += ' (create it with `sockudo migrate` or `await manager.migrate()`)';
    }
    if (name === 'TimeoutError' || name === 'AbortError') reason = `no answer within the timeout (${reason})`;
    return new SockudoError(`DynamoDbAppManager: ${what} failed on ${where}: ${reason}`, { cause: error });
  };

  /** Sends one command with a deadline covering the SDK's retries. */
  async function send<T>(
    what: string,
    run: (abortSignal: AbortSignal) => Promise<T>,
    timeoutMs = requestTimeoutMs,
  ): Promise<T> {
    if (closed) throw new SockudoError(`DynamoDbAppManager: ${what} called after close()`);
    try {
      return await run(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      throw failure(what, error);
    }
  }

  const toApp = (item: Item): App =>
    appFromRecord(plain(item), `${tableName}[id=${JSON.stringify(item.id)}]`);

  async function getItem(id: string, consistentRead = false): Promise<Item | undefined> {
    const { Item: item } = await send(`GetItem ${JSON.stringify(id)}`, (abortSignal) =>
      documents.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: consistentRead }), {
        abortSignal,
      }),
    );
    return item;
  }

  /** The items with this key on the index (more than one only if someone wrote duplicates by hand). */
  async function itemsWithKey(key: string): Promise<Item[]> {
    const { Items: items = [] } = await send(
      `Query ${KEY_INDEX} for key ${JSON.stringify(key)}`,
      (abortSignal) =>
        documents.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: KEY_INDEX,
            KeyConditionExpression: '#key = :key',
            ExpressionAttributeNames: { '#key': 'key' },
            ExpressionAttributeValues: { ':key': key },
            Limit: 2,
          }),
          { abortSignal },
        ),
    );
    return items;
  }

  function itemOf(app: App, previous?: Item): Item {
    const kept: Item = {};
    for (const [name, value] of Object.entries(previous ?? {}))
      if (!LEGACY_ATTRIBUTES.has(name)) kept[name] = value;
    return {
      ...kept,
      id: app.id,
      key: app.key,
      secret: app.secret,
      enabled: app.enabled,
      policy: JSON.stringify(policyRecord(app, storedPolicy(previous))),
    };
  }

  /** The table's description, or undefined when it does not exist. */
  async function describeTable(timeoutMs = requestTimeoutMs): Promise<TableDescription | undefined> {
    try {
      const { Table } = await send(
        'DescribeTable',
        (abortSignal) => client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal }),
        timeoutMs,
      );
      return Table;
    } catch (error) {
      if (errorName((error as { cause?: unknown }).cause) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async function migrate(): Promise<void> {
    const deadline = Date.now() + (options.migrateTimeoutMs ?? 300_000);
    let table = await describeTable();
    if (!table) {
      try {
        await send('CreateTable', (abortSignal) =>
          client.send(new CreateTableCommand(dynamoDbTableDefinition(tableName, options.billing)), {
            abortSignal,
          }),
        );
      } catch (error) {
        // Another node is creating it: wait for it like for our own.
        if (errorName((error as { cause?: unknown }).cause) !== 'ResourceInUseException') throw error;
      }
    }
    for (;;) {
      table = await describeTable();
      const index = table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === KEY_INDEX);
      if (table?.TableStatus === 'ACTIVE' && !index) {
        throw new SockudoError(
          `DynamoDbAppManager: migrate found ${where} without the global secondary index "${KEY_INDEX}" on "key" (S); add it (projection ALL) and run migrate again`,
        );
      }
      if (table?.TableStatus === 'ACTIVE' && (index?.IndexStatus ?? 'ACTIVE') === 'ACTIVE') return;
      if (Date.now() > deadline) {
        throw new SockudoError(
          `DynamoDbAppManager: migrate gave up waiting for ${where} to become ACTIVE (status ${table?.TableStatus ?? 'missing'}, index ${index?.IndexStatus ?? 'missing'})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  return {
    specVersion: 1,
    client,
    tableName,

    async findById(id) {
      if (!lookupable(id)) return undefined;
      const item = await getItem(id);
      return item ? toApp(item) : undefined;
    },

    async findByKey(key) {
      if (!lookupable(key)) return undefined;
      const items = await itemsWithKey(key);
      if (items.length > 1) {
        throw new SockudoError(
          `DynamoDbAppManager: ${where} has several apps with the key ${JSON.stringify(key)} (${items
            .map((item) => JSON.stringify(item.id))
            .join(', ')}); keys must be unique`,
        );
      }
      const [found] = items;
      if (!found) return undefined;
      // An index that projects fewer attributes than ALL: read the whole item.
      if (found.secret === undefined && typeof found.id === 'string') {
        const item = await getItem(found.id);
        return item && item.key === key ? toApp(item) : undefined;
      }
      return toApp(found);
    },

    async getApps() {
      const apps: App[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await send('Scan', (abortSignal) =>
          documents.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }), {
            abortSignal,
          }),
        );
        for (const item of page.Items ?? []) apps.push(toApp(item));
        start = page.LastEvaluatedKey;
      } while (start);
      return apps.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async createApp(app) {
      const what = `create app ${JSON.stringify(app.id)}`;
      const holders = await itemsWithKey(app.key);
      if (holders.length > 0) {
        throw new SockudoError(
          `DynamoDbAppManager: cannot ${what}: app ${JSON.stringify(holders[0]!.id)} already has the key ${JSON.stringify(app.key)}`,
        );
      }
      try {
        await send(what, (abortSignal) =>
          documents.send(
            new PutCommand({
              TableName: tableName,
              Item: itemOf(app),
              ConditionExpression: 'attribute_not_exists(id)',
            }),
            { abortSignal },
          ),
        );
      } catch (error) {
        if (errorName((error as { cause?: unknown }).cause) === 'ConditionalCheckFailedException') {
          throw new SockudoError(`DynamoDbAppManager: cannot ${what}: an app with this id already exists`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    async updateApp(app) {
      const what = `update app ${JSON.stringify(app.id)}`;
      const previous = lookupable(app.id) ? await getItem(app.id, true) : undefined;
      if (!previous) throw new SockudoError(`DynamoDbAppManager: ${what}: no app with this id in ${where}`);
      if (previous.key !== app.key) {
        const holder = (await itemsWithKey(app.key)).find((item) => item.id !== app.id);
        if (holder) {
          throw new SockudoError(
            `DynamoDbAppManager: ${what}: app ${JSON.stringify(holder.id)} already has the key ${JSON.stringify(app.key)}`,
          );
        }
      }
      try {
        await send(what, (abortSignal) =>
          documents.send(
            new PutCommand({
              TableName: tableName,
              Item: itemOf(app, previous),
              ConditionExpression: 'attribute_exists(id)',
            }),
            { abortSignal },
          ),
        );
      } catch (error) {
        if (errorName((error as { cause?: unknown }).cause) === 'ConditionalCheckFailedException') {
          throw new SockudoError(`DynamoDbAppManager: ${what}: the app was deleted meanwhile`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    async deleteApp(id) {
      if (!lookupable(id)) return;
      await send(`delete app ${JSON.stringify(id)}`, (abortSignal) =>
        documents.send(new DeleteCommand({ TableName: tableName, Key: { id } }), { abortSignal }),
      );
    },

    async checkHealth() {
      const table = await describeTable(healthCheckTimeoutMs);
      if (!table) {
        throw new SockudoError(
          `DynamoDbAppManager: health check failed: ${where} does not exist (create it with \`sockudo migrate\` or \`await manager.migrate()\`)`,
        );
      }
    },

    migrate,

    async close() {
      if (closed) return;
      closed = true;
      if (owned) client.destroy();
    },
  };
}
