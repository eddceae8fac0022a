// A DynamoDB-compatible server (dynalite, in this process) and raw item writes that bypass the manager.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
// @ts-expect-error dynalite ships no types
import dynalite from 'dynalite';
import {
  createDynamoDbAppManager,
  type DynamoDbAppManager,
  type DynamoDbAppManagerOptions,
} from '../../src/index.js';

/** Any credentials do for dynalite; the region must be a valid one. */
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const REGION = 'us-east-1';

export interface Dynalite {
  endpoint: string;
  /** A document client for the tests' own writes. */
  documents: DynamoDBDocumentClient;
  /** A manager over this dynalite; `options` may name the table and override anything. */
  appManager(options?: DynamoDbAppManagerOptions): DynamoDbAppManager;
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 with an OS-chosen port; tables are ACTIVE at once. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: Error) =>
      reject(
        new Error(`dynalite (the in-process DynamoDB these tests need) did not start: ${error.message}`),
      ),
    );
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  return {
    endpoint,
    documents: DynamoDBDocumentClient.from(client),
    appManager: (options = {}) =>
      createDynamoDbAppManager({ endpoint, region: REGION, credentials: CREDENTIALS, ...options }),
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A table name no other test uses. */
export function uniqueTable(prefix = 'sockudo-applications'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/**
 * Writes records as Rust Sockudo leaves them in DynamoDB: `policy` and `webhooks` as JSON strings,
 * lists as lists, the rest as they are.
 */
export async function putItems(
  documents: DynamoDBDocumentClient,
  table: string,
  records: Array<Record<string, unknown>>,
): Promise<void> {
  for (const record of records) {
    const item = Object.fromEntries(
      Object.entries(record).map(([name, value]) =>
        name === 'policy' || name === 'webhooks' ? [name, JSON.stringify(value)] : [name, value],
      ),
    );
    await documents.send(new PutCommand({ TableName: table, Item: item }));
  }
}

/** Deletes every item of `table`. */
export async function emptyTable(documents: DynamoDBDocumentClient, table: string): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      await documents.send(new DeleteCommand({ TableName: table, Key: { id: item.id } }));
    }
    start = page.LastEvaluatedKey;
  } while (start);
}
