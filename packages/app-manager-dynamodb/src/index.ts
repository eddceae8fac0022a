export {
  createDynamoDbAppManager,
  type DynamoDbAppManager,
  type DynamoDbAppManagerOptions,
} from './dynamodb-app-manager.js';
export { type DynamoDbBilling, dynamoDbTableDefinition, KEY_INDEX } from './dynamodb-table.js';
