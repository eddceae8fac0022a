// The cluster suite over the `nats` adapter (NATS on 127.0.0.1:4222, a fresh subject prefix per run).

import { natsBroker } from './brokers.js';
import { clusterSuite } from './cluster-suite.js';

clusterSuite(natsBroker());
