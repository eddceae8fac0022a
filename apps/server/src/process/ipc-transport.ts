// The in-box transport of `sockudo start --workers N` with the local adapter: the workers of one
// node:cluster talk over their IPC channels to the primary, which relays every message to every worker
// (the sender included, as a broker would; the HorizontalAdapter ignores its own messages).

import type { TransportHandlers, TransportV1 } from '@sockudo/core';

/** Marks our messages, so other IPC traffic on the same channel is ignored. */
export const IPC_TRANSPORT_TAG = 'sockudo:transport';

type Kind = 'b' | 'q' | 'r';

/** One message of the in-box transport: the HorizontalAdapter's payload and which channel it is on. */
export interface IpcTransportMessage {
  tag: typeof IPC_TRANSPORT_TAG;
  k: Kind;
  p: string;
}

/** True for a message of the in-box transport. */
export function isIpcTransportMessage(message: unknown): message is IpcTransportMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<IpcTransportMessage>;
  return (
    m.tag === IPC_TRANSPORT_TAG && (m.k === 'b' || m.k === 'q' || m.k === 'r') && typeof m.p === 'string'
  );
}

/** The worker's end of the IPC channel (`process` in a cluster worker). */
export interface IpcChannel {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  readonly connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A {@link TransportV1} for a cluster worker: publishes to and receives from the primary's relay. */
export function createIpcTransport(channel: IpcChannel = process as IpcChannel): TransportV1 {
  let listener: ((message: unknown) => void) | undefined;
  const ensureConnected = (): void => {
    if (!channel.send || channel.connected === false)
      throw new Error('the IPC channel to the primary is closed');
  };
  const publish = (k: Kind, p: string): Promise<void> =>
    new Promise((resolve, reject) => {
      ensureConnected();
      const message: IpcTransportMessage = { tag: IPC_TRANSPORT_TAG, k, p };
      channel.send!(message, (error) => (error ? reject(error) : resolve()));
    });
  return {
    specVersion: 1,
    async start(handlers: TransportHandlers) {
      ensureConnected();
      listener = (message) => {
        if (!isIpcTransportMessage(message)) return;
        if (message.k === 'b') handlers.onBroadcast(message.p);
        else if (message.k === 'q') handlers.onRequest(message.p);
        else handlers.onResponse(message.p);
      };
      channel.on('message', listener);
    },
    publishBroadcast: (payload) => publish('b', payload),
    publishRequest: (payload) => publish('q', payload),
    publishResponse: (payload) => publish('r', payload),
    async checkHealth() {
      ensureConnected();
    },
    async close() {
      if (listener) channel.off('message', listener);
      listener = undefined;
    },
  };
}

/** A worker as the relay sees it (`cluster.Worker` fits). */
export interface IpcPeer {
  send(message: unknown, callback?: (error: Error | null) => void): boolean;
  isConnected(): boolean;
}

/** Where the relay hears the workers (`cluster` fits: its `message` event carries the sending worker). */
export interface IpcSource {
  on(event: 'message', listener: (worker: never, message: unknown) => void): unknown;
  off(event: 'message', listener: (worker: never, message: unknown) => void): unknown;
}

/**
 * The primary's side: relays every transport message any worker sends to all the workers `workers()`
 * returns at that moment (the sender included). Returns a function that stops relaying.
 */
export function relayIpcTransport(workers: () => Iterable<IpcPeer>, source: IpcSource): () => void {
  const listener = (_worker: never, message: unknown): void => {
    if (!isIpcTransportMessage(message)) return;
    for (const worker of workers()) {
      // A worker that exits meanwhile misses the message, as a node that leaves a broker would.
      if (worker.isConnected()) worker.send(message, () => {});
    }
  };
  source.on('message', listener);
  return () => {
    source.off('message', listener);
  };
}
