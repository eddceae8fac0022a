// The cluster suite over the `rabbitmq` adapter (RabbitMQ on 127.0.0.1:5672, a fresh prefix per run).

import { rabbitmqBroker } from './brokers.js';
import { clusterSuite } from './cluster-suite.js';

clusterSuite(rabbitmqBroker());
