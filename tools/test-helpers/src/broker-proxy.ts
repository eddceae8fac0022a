// A TCP proxy in front of a shared broker, for fault tests against a broker a test may not kill (the
// machine's RabbitMQ): killing the proxy cuts every connection through it and refuses new ones, as a
// dead broker would, while the broker and everyone else's connections to it carry on.

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { BrokerControl } from './throwaway-broker.js';

/** A proxy on a free port of 127.0.0.1 that a fault test kills and restarts in place of the broker. */
export interface BrokerProxy extends BrokerControl {
  readonly port: number;
  /** The broker's URL with the proxy's host and port. */
  readonly url: string;
  /**
   * Stops forwarding in both directions without closing anything, as a broker that hangs with its
   * sockets open (new connections are accepted and then hang too); `thaw()` resumes.
   */
  freeze(): void;
  thaw(): void;
}

/** Starts a proxy to the host and port of `brokerUrl` (e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`). */
export async function startBrokerProxy(brokerUrl: string, defaultPort: number): Promise<BrokerProxy> {
  const target = new URL(brokerUrl);
  const targetHost = target.hostname;
  const targetPort = Number(target.port || defaultPort);
  const pairs = new Set<[client: Socket, broker: Socket]>();
  let frozen = false;

  const forward = ([client, broker]: [Socket, Socket]) => {
    client.pipe(broker);
    broker.pipe(client);
  };
  const hold = ([client, broker]: [Socket, Socket]) => {
    client.unpipe(broker);
    broker.unpipe(client);
    client.pause();
    broker.pause();
  };

  const server: Server = createServer((client) => {
    const broker = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, broker];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => {});
      socket.on('close', () => {
        pairs.delete(pair);
        client.destroy();
        broker.destroy();
      });
    }
    if (frozen) hold(pair);
    else forward(pair);
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const port = await listen(0);
  let listening = true;
  const url = new URL(brokerUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  const kill = async () => {
    if (listening) {
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await closed;
    }
  };

  return {
    port,
    url: url.href,
    kill,
    async restart() {
      if (!listening) {
        await listen(port);
        listening = true;
      }
    },
    destroy: kill,
    freeze() {
      if (frozen) return;
      frozen = true;
      for (const pair of pairs) hold(pair);
    },
    thaw() {
      if (!frozen) return;
      frozen = false;
      for (const pair of pairs) forward(pair);
    },
  };
}
