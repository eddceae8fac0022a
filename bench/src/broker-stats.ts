// The broker's own counters, read before and after S1's measured window: bytes it sent (Redis INFO stats,
// NATS /varz, RabbitMQ's management API) and, for Redis and Redis Cluster, publishes per master.
import { BenchError, describeError } from './bench-error.js';
import {
  clusterMasters,
  commandCalls,
  parseInfo,
  RedisCommandConnection,
  type RedisReply,
} from './redis-command.js';
import type { S1Options } from './s1-options.js';

/** One Redis master's counters. */
export interface ShardCounters {
  address: string;
  /** `total_net_output_bytes`, less the replies this probe itself read on that master. */
  outputBytes: number;
  /** `cmdstat_publish` + `cmdstat_spublish` calls. */
  publishes: number;
}

/** The broker's counters at one moment; `outputBytes` is null when the broker cannot be asked. */
export interface BrokerSample {
  outputBytes: number | null;
  /** Redis and Redis Cluster: one entry per master. */
  shards: ShardCounters[];
}

/** Reads one driver's broker. */
export interface BrokerProbe {
  /** What `outputBytes` counts, or why it is null. */
  readonly note: string;
  sample(): Promise<BrokerSample>;
  close(): void;
}

const MONITOR_TIMEOUT_MS = 2000;

/** Opens the probe that suits `options.driver`; never fails for a missing monitoring endpoint. */
export async function openBrokerProbe(options: S1Options): Promise<BrokerProbe> {
  switch (options.driver) {
    case 'redis':
      return openRedisProbe([options.redisUrl], 'total_net_output_bytes of INFO stats (the whole Redis)');
    case 'redis_cluster':
      return openRedisProbe(
        await masterUrls(options.clusterNodes),
        'total_net_output_bytes of INFO stats, summed over the masters (replicas and the cluster bus not counted)',
      );
    case 'nats':
      return openNatsProbe(options.natsMonitorUrl);
    case 'rabbitmq':
      return openRabbitmqProbe(options.rabbitmqManagementUrl);
  }
}

async function masterUrls(seeds: readonly string[]): Promise<string[]> {
  let lastError: unknown;
  for (const seed of seeds) {
    let connection: RedisCommandConnection | undefined;
    try {
      connection = await RedisCommandConnection.open(`redis://${seed}`);
      const masters = clusterMasters(String(await connection.command('CLUSTER', 'NODES')));
      if (masters.length > 0) return masters.map((address) => `redis://${address}`);
    } catch (error) {
      lastError = error;
    } finally {
      connection?.close();
    }
  }
  throw new BenchError(`no Redis Cluster master found from ${seeds.join(', ')}: ${describeError(lastError)}`);
}

async function openRedisProbe(urls: string[], note: string): Promise<BrokerProbe> {
  const connections = await Promise.all(urls.map((url) => RedisCommandConnection.open(url)));
  return {
    note,
    async sample() {
      const shards = await Promise.all(connections.map(readShard));
      return { outputBytes: shards.reduce((sum, shard) => sum + shard.outputBytes, 0), shards };
    },
    close() {
      for (const connection of connections) connection.close();
    },
  };
}

async function readShard(connection: RedisCommandConnection): Promise<ShardCounters> {
  // Commands run one at a time, so every reply this connection has received was written (and counted)
  // before the INFO below is answered; subtracting them leaves the probe out of the figure.
  const ownReplies = connection.receivedBytes;
  const stats = parseInfo(text(await connection.command('INFO', 'stats')));
  const commands = parseInfo(text(await connection.command('INFO', 'commandstats')));
  const output = Number(stats.get('total_net_output_bytes'));
  if (!Number.isFinite(output))
    throw new BenchError(`redis ${connection.address}: no total_net_output_bytes`);
  return {
    address: connection.address,
    outputBytes: output - ownReplies,
    publishes: commandCalls(commands, 'publish') + commandCalls(commands, 'spublish'),
  };
}

function text(reply: RedisReply): string {
  if (typeof reply !== 'string') throw new BenchError(`unexpected INFO reply: ${JSON.stringify(reply)}`);
  return reply;
}

async function openNatsProbe(monitorUrl: string): Promise<BrokerProbe> {
  const varz = new URL('/varz', monitorUrl).toString();
  const read = async () => {
    const body = (await getJson(varz)) as { out_bytes?: unknown };
    if (typeof body.out_bytes !== 'number') throw new BenchError(`${varz} has no out_bytes`);
    return body.out_bytes;
  };
  try {
    await read();
  } catch (error) {
    return unavailable(
      `NATS monitoring not reachable at ${varz} (${describeError(error)}); start nats-server with -m 8222`,
    );
  }
  return {
    note: `out_bytes of ${varz} (the whole NATS server)`,
    async sample() {
      return { outputBytes: await read(), shards: [] };
    },
    close() {},
  };
}

async function openRabbitmqProbe(managementUrl: string): Promise<BrokerProbe> {
  const target = new URL(managementUrl);
  const authorization = `Basic ${Buffer.from(
    `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`,
  ).toString('base64')}`;
  target.username = '';
  target.password = '';
  const connections = new URL('/api/connections?columns=send_oct', target).toString();
  const read = async () => {
    const list = await getJson(connections, authorization);
    if (!Array.isArray(list)) throw new BenchError(`${connections} did not answer a list`);
    return list.reduce((sum: number, entry: { send_oct?: unknown }) => {
      return sum + (typeof entry.send_oct === 'number' ? entry.send_oct : 0);
    }, 0);
  };
  try {
    await getJson(new URL('/api/overview', target).toString(), authorization);
  } catch (error) {
    return unavailable(
      `RabbitMQ management API not reachable at ${target.origin} (${describeError(error)}); enable rabbitmq_management`,
    );
  }
  return {
    note: `send_oct summed over ${connections} (every connection; the management API samples every few seconds, so coarse)`,
    async sample() {
      return { outputBytes: await read(), shards: [] };
    },
    close() {},
  };
}

function unavailable(note: string): BrokerProbe {
  return {
    note,
    async sample() {
      return { outputBytes: null, shards: [] };
    },
    close() {},
  };
}

async function getJson(url: string, authorization?: string): Promise<unknown> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(MONITOR_TIMEOUT_MS),
    ...(authorization !== undefined && { headers: { authorization } }),
  });
  if (!response.ok) throw new BenchError(`${url} answered ${response.status}`);
  return response.json();
}
