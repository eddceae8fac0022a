// The cluster suite over the `nats` adapter (NATS on 127.0.0.1:4222, a fresh subject prefix per run).

import { clusterSuite } from './cluster-suite.js';
import { natsBroker } from './harness.js';

clusterSuite(natsBroker());
