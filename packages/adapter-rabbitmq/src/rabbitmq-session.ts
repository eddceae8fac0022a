// One connection's worth of broker state for the RabbitMQ transport: the connection (opened, or the one
// the user gave), a control and a confirm channel, the exchanges, the node's queue and its consumer.
// The transport builds a session at start and a new one on every reconnect; this file opens, disposes
// of and releases them, and tells the transport when one is lost.

import { type Logger, withTimeout } from '@sockudo/core';
import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  connect,
  type SocketOptions,
} from 'amqplib';
import { type PublishLimits, PublishWindow } from './publish-window.js';
import { nodeQueueName, type RabbitMqExchanges } from './rabbitmq-names.js';

/**
 * The binding every node queue has on the routed exchange besides its keys. Core never builds an empty
 * key, so nothing is ever routed by it; it keeps the exchange alive (it is auto-delete) while any node
 * is connected, even one that holds no key, so that a publish never finds it gone.
 */
const ANCHOR_KEY = '';

/** One connection's worth of channels, queue and bindings. A reconnect builds a new one. */
export interface Session {
  readonly model: ChannelModel;
  control: Channel | undefined;
  publisher: ConfirmChannel | undefined;
  window: PublishWindow | undefined;
  queue: string | undefined;
  /** AMQP routing keys bound (or being bound) on this session's queue → the bind's acknowledgement. */
  readonly bindings: Map<string, Promise<void>>;
  /** Why the broker blocks this connection's publishes (a resource alarm), while it does. */
  blockedReason: string | undefined;
  /** The last error the connection or a channel reported. */
  error: unknown;
  lost: boolean;
  /** Removes the listeners put on a connection the transport does not own. */
  detach(): void;
}

/** What {@link RabbitMqSessions} needs from the transport. */
export interface SessionSetup {
  /** The transport's name, for log lines. */
  readonly name: string;
  /** What amqplib connects to; unused when `connection` is given. */
  readonly href: string;
  /** The user's connection, which is never closed, only its channels. */
  readonly connection: ChannelModel | undefined;
  readonly socketOptions: SocketOptions | undefined;
  readonly prefix: string;
  readonly exchanges: RabbitMqExchanges;
  readonly limits: PublishLimits;
  readonly logger: Logger;
  /** An error's text, fit for a log line (no password). */
  reason(error: unknown): string;
  /** A message arrived on the session's queue (`null`: the broker cancelled the consumer). */
  dispatch(session: Session, message: ConsumeMessage | null): void;
  /** The session's connection or one of its channels went away. */
  lose(session: Session, error: unknown): void;
}

/** Opens, disposes of and releases the transport's sessions. */
export class RabbitMqSessions {
  /** Set once the user's connection closed: it cannot be reopened. */
  givenConnectionClosed = false;
  /** A queue of a lost session on the given connection, deleted by the next session. */
  private staleQueue: string | undefined;

  constructor(private readonly setup: SessionSetup) {}

  /** Opens a session within `timeoutMs`; one that completes after the deadline is closed. */
  open(timeoutMs: number): Promise<Session> {
    const opening = this.openSession(timeoutMs);
    return withTimeout(
      opening,
      timeoutMs,
      () => new Error(`no connection with its exchanges, queue and consumer within ${timeoutMs} ms`),
    ).catch((error: unknown) => {
      opening.then(
        (late) => {
          late.lost = true;
          this.dispose(late);
        },
        () => {},
      );
      throw error;
    });
  }

  /** Lets go of a session's broker resources, without waiting. */
  dispose(session: Session): void {
    session.window?.fail(new Error('connection lost'));
    if (!this.setup.connection) {
      session.model.close().catch(() => {});
      return;
    }
    session.detach();
    if (session.queue) this.staleQueue = session.queue;
    session.control?.close().catch(() => {});
    session.publisher?.close().catch(() => {});
  }

  /**
   * Closes a session for good: its own connection, or (on a given connection) its queue and channels,
   * within a second each; pending publishes fail with `error`.
   */
  async release(session: Session | undefined, error: Error): Promise<void> {
    if (!session) return;
    session.lost = true;
    session.window?.fail(error);
    if (!this.setup.connection) {
      try {
        await withTimeout(session.model.close(), 1000, () => new Error('close timed out'));
      } catch {
        // Already closed, or the broker does not answer: drop the socket.
        (session.model.connection as { stream?: { destroy?(): void } }).stream?.destroy?.();
      }
      return;
    }
    session.detach();
    const control = session.control;
    await withTimeout(
      (async () => {
        if (control && session.queue) await control.deleteQueue(session.queue);
        await control?.close();
        await session.publisher?.close();
      })(),
      1000,
      () => new Error('close timed out'),
    ).catch((error: unknown) =>
      this.setup.logger.debug(`${this.setup.name}: error while closing`, { error: this.setup.reason(error) }),
    );
  }

  private async openConnection(timeoutMs: number): Promise<ChannelModel> {
    const { connection, socketOptions, prefix } = this.setup;
    if (connection) {
      if (this.givenConnectionClosed) throw new Error('the given connection is closed');
      return connection;
    }
    return connect(this.setup.href, {
      timeout: timeoutMs,
      ...socketOptions,
      clientProperties: { connection_name: `sockudo ${prefix}`, ...socketOptions?.clientProperties },
    });
  }

  /** Connects (or takes the given connection), declares everything and starts consuming. */
  private async openSession(timeoutMs: number): Promise<Session> {
    const { name, logger, reason, exchanges } = this.setup;
    const model = await this.openConnection(timeoutMs);
    const owned = !this.setup.connection;
    const session: Session = {
      model,
      control: undefined,
      publisher: undefined,
      window: undefined,
      queue: undefined,
      bindings: new Map(),
      blockedReason: undefined,
      error: undefined,
      lost: false,
      detach: () => {},
    };
    const lose = (error: unknown) => this.setup.lose(session, error);
    // An EventEmitter without an 'error' listener would throw; the 'close' that follows is what counts.
    const onError = (error: unknown) => {
      session.error = error;
      logger.debug(`${name}: connection error`, { error: reason(error) });
    };
    const onClose = (error?: unknown) => {
      if (!owned) this.givenConnectionClosed = true;
      lose(error ?? new Error('connection closed'));
    };
    const onBlocked = (blockedBy: string) => {
      session.blockedReason = blockedBy;
      logger.warn(`${name}: the broker blocks publishing: ${blockedBy}`);
    };
    const onUnblocked = () => {
      session.blockedReason = undefined;
      logger.info(`${name}: the broker accepts publishes again`);
    };
    model.on('error', onError);
    model.on('close', onClose);
    model.on('blocked', onBlocked);
    model.on('unblocked', onUnblocked);
    session.detach = () => {
      model.off('error', onError);
      model.off('close', onClose);
      model.off('blocked', onBlocked);
      model.off('unblocked', onUnblocked);
    };
    try {
      const watch = <C extends Channel>(channel: C, role: string): C => {
        channel.on('error', (error: unknown) => {
          session.error = error;
          logger.debug(`${name}: ${role} channel error`, { error: reason(error) });
        });
        // When the connection goes, its channels close first and the connection's own 'close' (with
        // the broker's reason) follows in the same turn: let that one tell why.
        channel.on('close', () =>
          process.nextTick(() => lose(session.error ?? new Error(`${role} channel closed`))),
        );
        return channel;
      };
      const control = watch(await model.createChannel(), 'control');
      session.control = control;
      const publisher = watch(await model.createConfirmChannel(), 'publisher');
      session.publisher = publisher;
      session.window = new PublishWindow(publisher, this.setup.limits);
      if (this.staleQueue && !owned) {
        await control.deleteQueue(this.staleQueue);
        this.staleQueue = undefined;
      }
      // Transient and auto-delete: a cluster leaves nothing behind on the broker once its last node is
      // gone. A node's queue is bound to both; the broadcast binding and the anchor keep them alive.
      await control.assertExchange(exchanges.broadcast, 'fanout', { durable: false, autoDelete: true });
      await control.assertExchange(exchanges.routed, 'direct', { durable: false, autoDelete: true });
      const queue = nodeQueueName(this.setup.prefix);
      await control.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
      session.queue = queue;
      await control.bindQueue(queue, exchanges.broadcast, '');
      await control.bindQueue(queue, exchanges.routed, ANCHOR_KEY);
      // noAck: the queue is exclusive, so an unacknowledged message would die with the connection
      // anyway; acknowledgements would only add a frame per message. The handlers are synchronous, so
      // TCP back-pressure is what slows the broker down for a busy node.
      await control.consume(queue, (message) => this.setup.dispatch(session, message), {
        noAck: true,
        exclusive: true,
      });
      if (session.lost) throw session.error ?? new Error('connection lost while setting up');
      return session;
    } catch (error) {
      session.lost = true;
      this.dispose(session);
      throw error;
    }
  }
}
