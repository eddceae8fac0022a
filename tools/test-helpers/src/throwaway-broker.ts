// A broker a fault test owns and may SIGKILL and start again on the same port(s) — never the machine's
// shared Redis, Redis Cluster or NATS — and the hooks that start it before a describe and remove it after.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { freePort, startNatsServer, startRedisServer, type ThrowawayServer } from './services.js';

/** What a fault test does to its broker. A three-master throwaway Redis Cluster fits this too. */
export interface BrokerControl {
  /** SIGKILLs the broker and waits until its port is closed. */
  kill(): Promise<void>;
  /** Starts the broker again where it was (same ports, same state files) and waits until it answers. */
  restart(): Promise<void>;
  /** Kills the broker for good and removes whatever it wrote. */
  destroy(): Promise<void>;
}

/** One `redis-server` or `nats-server` on a free port of 127.0.0.1. */
export interface ThrowawayBroker extends BrokerControl {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` or `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** The process running now (a restart replaces it), e.g. to SIGSTOP it. */
  readonly process: ChildProcess;
}

/** Starts a throwaway `redis-server` or `nats-server` on a free port. */
export async function startThrowawayBroker(kind: 'redis' | 'nats'): Promise<ThrowawayBroker> {
  const launch = kind === 'redis' ? startRedisServer : startNatsServer;
  const port = await freePort();
  let server: ThrowawayServer = await launch(port);
  return {
    port,
    url: `${kind}://127.0.0.1:${port}`,
    get process() {
      return server.process;
    },
    kill: () => server.kill(),
    async restart() {
      server = await launch(port);
    },
    destroy: () => server.kill(),
  };
}

/**
 * For the enclosing `describe` (or file): starts a broker before its tests and destroys it after them.
 * Returns a getter for the broker, to call inside tests and hooks registered after this call.
 */
export function useBroker<B extends BrokerControl>(start: () => Promise<B>): () => B {
  let broker: B | undefined;
  beforeAll(async () => {
    broker = await start();
  });
  afterAll(async () => {
    await broker?.destroy();
  });
  return () => {
    if (!broker) throw new Error('the throwaway broker is used before its beforeAll hook started it');
    return broker;
  };
}
