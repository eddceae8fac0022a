// The cluster suite over the `redis` adapter (Redis on 127.0.0.1:6379, a fresh prefix per run).

import { redisBroker } from './brokers.js';
import { clusterSuite } from './cluster-suite.js';

clusterSuite(redisBroker());
