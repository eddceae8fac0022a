// The `sockudo-applications` table as Rust Sockudo's DynamoDbAppManager creates it: hash key `id` (S)
// and the global secondary index `KeyIndex` on `key` (S) projecting every attribute.

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The GSI Rust Sockudo queries by app key. */
export const KEY_INDEX = 'KeyIndex';

/** How the table is billed: on demand, or provisioned with Rust Sockudo's 5/5 units. */
export type DynamoDbBilling =
  | { mode: 'PAY_PER_REQUEST' }
  | { mode: 'PROVISIONED'; readCapacityUnits?: number; writeCapacityUnits?: number };

/**
 * The `CreateTable` input for the applications table, for infrastructure code (CloudFormation, CDK,
 * Terraform) or `aws dynamodb create-table --cli-input-json`. `migrate()` sends exactly this.
 *
 * @param tableName @default 'sockudo-applications'
 * @param billing @default { mode: 'PAY_PER_REQUEST' }
 */
export function dynamoDbTableDefinition(
  tableName = 'sockudo-applications',
  billing: DynamoDbBilling = { mode: 'PAY_PER_REQUEST' },
): CreateTableCommandInput {
  const throughput =
    billing.mode === 'PROVISIONED'
      ? {
          ProvisionedThroughput: {
            ReadCapacityUnits: billing.readCapacityUnits ?? 5,
            WriteCapacityUnits: billing.writeCapacityUnits ?? 5,
          },
        }
      : {};
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'key', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: KEY_INDEX,
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        ...throughput,
      },
    ],
    BillingMode: billing.mode,
    ...throughput,
  };
}
