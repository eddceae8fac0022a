// The cluster suite over the `redis_cluster` adapter (the Redis Cluster on 127.0.0.1:7000-7005 that
// `bash scripts/services.sh start` runs, a fresh prefix per run).

import { redisClusterBroker } from './brokers.js';
import { clusterSuite } from './cluster-suite.js';

clusterSuite(redisClusterBroker());
