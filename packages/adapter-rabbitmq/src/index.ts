export { DEFAULT_HEARTBEAT_SECONDS, DEFAULT_RABBITMQ_URL } from './amqp-url.js';
export {
  amqpRoutingKey,
  DEFAULT_RABBITMQ_PREFIX,
  type RabbitMqExchanges,
  rabbitMqExchanges,
} from './rabbitmq-names.js';
export {
  createRabbitMqTransport,
  type RabbitMqTransport,
  type RabbitMqTransportOptions,
} from './rabbitmq-transport.js';
export { type RabbitMqDriverOptions, rabbitMqDriverOptions, sockudoDriver } from './sockudo-driver.js';
